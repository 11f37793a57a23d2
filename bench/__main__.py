"""`python -m bench [NAME ...]`: run the named benchmarks (`audit` → bench/bench_audit.py), or all."""

import importlib
import pkgutil
import sys
import time
from pathlib import Path

PREFIX = "bench_"


def available() -> list[str]:
    here = str(Path(__file__).resolve().parent)
    return sorted(m.name.removeprefix(PREFIX) for m in pkgutil.iter_modules([here]) if m.name.startswith(PREFIX))


def main(argv: list[str]) -> int:
    if any(arg in {"-h", "--help"} for arg in argv):
        print(__doc__)
        print("可用的基准测试：" + "、".join(available()))
        return 0
    names = [arg.removeprefix(PREFIX).removesuffix(".py") for arg in argv] or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"没有这些基准测试：{'、'.join(unknown)}；可用的有：{'、'.join(available())}", file=sys.stderr)
        return 2
    for name in names:
        module = importlib.import_module(f"bench.{PREFIX}{name}")
        print(f"==> bench {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.perf_counter()
        module.run()
        print(f"==> bench {name} finished in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

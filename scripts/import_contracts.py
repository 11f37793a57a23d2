"""A contract type for import-linter (`make lint`): a context reaches another only through its
public surface: its `services` (writes) and `selectors` (reads), and the few modules the
contract names with the reason they are public (an extension point, a view guard, the log-in
flow). Everything else in a context is its own: models, workflow, views, tasks, engines.

Unlike a `forbidden` contract listing what is private, a module added to a context tomorrow
is private by default."""

import grimp
from importlinter import Contract, ContractCheck, fields, output


class PublicSurfaceContract(Contract):
    """Options:
    - contexts: the context packages (tongban.cases …);
    - public: the module names that are every context's surface (services, selectors);
    - also_public: further modules others may import (tongban.cases.sources …);
    - exempt: packages allowed to import anything (the demo city's fixtures, the settings);
    - ignore_below: module names whose subtree is ignored as an importer (tests, migrations)."""

    type_name = "public_surface"

    contexts = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    also_public = fields.ListField(subfield=fields.StringField(), required=False)
    exempt = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_below = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        contexts = set(self.contexts)  # type: ignore[arg-type]
        crossings = []
        for importer in sorted(graph.modules):
            own = _context_of(importer, contexts)
            if own is None or self._ignored(importer):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                other = _context_of(imported, contexts)
                if other is None or other == own or self._is_public(imported, other):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = sorted({d["line_number"] for d in details})
                crossings.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not crossings, metadata={"crossings": crossings})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Imports of another context's private modules:", bold=False)
        output.new_line()
        for crossing in check.metadata["crossings"]:
            lines = ", ".join(map(str, crossing["lines"]))
            output.print_error(f"- {crossing['importer']} -> {crossing['imported']} (l.{lines})", bold=False)
        output.new_line()
        output.print("Go through the context's services or selectors, or give it a public module here, with why.")

    def _ignored(self, importer: str) -> bool:
        parts = importer.split(".")
        if any(importer == e or importer.startswith(e + ".") for e in self.exempt or ()):  # type: ignore[union-attr]
            return True
        return any(name in parts for name in self.ignore_below or ())  # type: ignore[union-attr]

    def _is_public(self, imported: str, context: str) -> bool:
        if imported == context:
            return True  # the package itself (its __init__)
        tail = imported[len(context) + 1 :].split(".")[0]
        also = self.also_public or ()  # type: ignore[var-annotated]
        return tail in self.public or any(imported == m or imported.startswith(m + ".") for m in also)  # type: ignore[operator]


def _context_of(module: str, contexts: set[str]) -> str | None:
    return next((c for c in contexts if module == c or module.startswith(c + ".")), None)

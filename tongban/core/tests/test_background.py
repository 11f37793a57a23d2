import threading

from tongban.core.background import task_start


class FakeTask:
    name = "tongban.tests.fake"

    def __init__(self):
        self.ran, self.sent, self.threads = [], [], []

    def run(self, *args):
        self.ran.append(args)
        self.threads.append(threading.current_thread().name)

    def delay(self, *args):
        self.sent.append(args)


def test_a_job_goes_to_the_broker_when_there_is_one(settings):
    settings.TONGBAN_BROKER_URL = "redis://broker"
    task = FakeTask()
    task_start(task, 7, background=True)
    assert (task.sent, task.ran) == ([(7,)], [])


def test_without_a_broker_a_job_runs_on_a_thread_or_inline(settings):
    settings.TONGBAN_BROKER_URL = ""
    task = FakeTask()
    task_start(task, 7, background=False)
    assert task.threads == [threading.current_thread().name]
    task_start(task, 8, background=True)
    for thread in threading.enumerate():
        if thread.name == "tongban-fake-8":
            thread.join(5)
    assert task.ran == [(7,), (8,)] and task.threads[1] == "tongban-fake-8"

from types import SimpleNamespace

from ansinh.core.migration_ops import postgresql_only


class Editor:
    def __init__(self, vendor):
        self.connection, self.executed = SimpleNamespace(vendor=vendor), []

    def execute(self, sql):
        self.executed.append(sql)


def test_a_postgresql_only_step_runs_its_statements_in_order_there_and_nothing_on_sqlite():
    step = postgresql_only(["CREATE a", "CREATE b"], ["DROP b"])
    assert step.reversible
    for vendor, forwards, backwards in (("postgresql", ["CREATE a", "CREATE b"], ["DROP b"]), ("sqlite", [], [])):
        editor = Editor(vendor)
        step.code(None, editor)
        assert editor.executed == forwards
        editor = Editor(vendor)
        step.reverse_code(None, editor)
        assert editor.executed == backwards

"""Staff pages of cases (mounted at /workbench/cases/): the queues, one case with the acts this
person may do now, material files, one-window acceptance and village agents' filing.

Views check the shape of input (forms_workbench) and call one service per act; scope comes from
the selectors (a case outside it is "not found"); refusals are shown next to the form.

One module per concern: queues, case, desk (window and agent filing), agent (consent)."""

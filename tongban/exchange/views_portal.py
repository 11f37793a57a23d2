"""Who looked at my data (mounted at /me/data/): a citizen sees every lookup of their own records
— which department, which resource, when, for what purpose and case, with what outcome — and, for
each enterprise they act for, the lookups of its credit code. Lookups are found by the key's HMAC
(the log never holds the number). Newest first, paged without counting the whole log."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tongban.accounts import selectors as accounts
from tongban.exchange import stats
from tongban.exchange.query import key_digest


@login_required
def my_data(request):
    person = request.user.person if request.user.person_id else None
    if person is None:
        return render(request, "exchange/portal/my_data.html", {"person": None, "tabs": [], "page": None})
    enterprises = list(accounts.legal_persons_for(person).order_by("name"))
    tabs = [("me", "本人", person.id_number)] + [(str(e.pk), e.name, e.uscc) for e in enterprises]
    chosen = request.GET.get("for", "me")
    tab = next((t for t in tabs if t[0] == chosen), tabs[0])
    page = stats.calls_page(stats.calls_of_keys([key_digest(tab[2])]), request.GET.get("page", 1))
    return render(
        request,
        "exchange/portal/my_data.html",
        {"person": person, "tabs": tabs, "tab": tab[0], "tab_name": tab[1], "page": page},
    )

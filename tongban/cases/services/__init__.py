"""Every write to a case: one function per act of the workflow table (workflow.py).

Each transition service locks the case row, refuses a stale revision (another clerk acted first),
checks the table and the actor's right to act, writes the case, appends the history row, the
audit entry and the domain event (outbox) — all in one transaction, or nothing.

The acts live in the modules of this package by concern; this module is the context's write
surface, which views, the API, tasks and other contexts import."""

from tongban.cases.services.acts import (
    CorrectionItem as CorrectionItem,
    case_accept as case_accept,
    case_claim as case_claim,
    case_correction_answer as case_correction_answer,
    case_correction_expire as case_correction_expire,
    case_correction_request as case_correction_request,
    case_decide as case_decide,
    case_deliver as case_deliver,
    case_owed_expire as case_owed_expire,
    case_owed_receive as case_owed_receive,
    case_refuse as case_refuse,
    case_release as case_release,
    case_result_issue as case_result_issue,
    case_revoke as case_revoke,
    case_special_end as case_special_end,
    case_special_start as case_special_start,
    case_step_approve as case_step_approve,
    case_step_return as case_step_return,
    case_withdraw as case_withdraw,
)
from tongban.cases.services.apply import (
    BulkOutcome as BulkOutcome,
    Upload as Upload,
    case_apply as case_apply,
    case_bulk_accept as case_bulk_accept,
    case_submit_with_correction as case_submit_with_correction,
)
from tongban.cases.services.drafts import (
    case_delivery_choose as case_delivery_choose,
    case_draft_discard as case_draft_discard,
    case_draft_save as case_draft_save,
    case_draft_start as case_draft_start,
    case_file_add as case_file_add,
    case_file_remove as case_file_remove,
    case_material_mark_paper as case_material_mark_paper,
    case_submit as case_submit,
)
from tongban.cases.services.sweep import (
    SweepReport as SweepReport,
    case_clock_sweep as case_clock_sweep,
)

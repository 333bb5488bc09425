"""Events of the reports domain, sent after commit. Notifications listen to them."""

from parvis.core.events import DomainEvent

# payload: report, event (ReportEvent) — a public step of the timeline (status or update)
report_public_update = DomainEvent("report_public_update")
# payload: report — a resolved report whose reporter should be asked whether it is fixed
report_fix_check_due = DomainEvent("report_fix_check_due")
# payload: report — a new report was filed (acknowledgement to the reporter)
report_created = DomainEvent("report_created")

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from parvis.notifications.models import Notification
from parvis.privacy.models import AuditEntry
from parvis.reports.choices import ReportStatus, Source, UpdateChannel
from parvis.reports.models import Report, ReportingSettings
from parvis.reports.selectors import report_list_nearby_open, report_resolution_stats
from parvis.reports.services import (
    InvalidTransition,
    report_confirm_fix,
    report_create,
    report_follow,
    report_merge,
    report_purge_expired_contacts,
    report_transition,
    reporter_contact_view,
)
from parvis.testing.factories import CategoryFactory, UserFactory, jpeg_with_gps

IN_A = {"latitude": 47.005, "longitude": 4.805}  # Commune A's district "Centre"
IN_B = {"latitude": 47.005, "longitude": 4.905}


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read the English source of the messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def pothole(commune_a):
    return CategoryFactory(territory=commune_a, name="Nid-de-poule", sla_hours=48)


@pytest.fixture
def water_leak(epci):
    """An intercommunal category: water is handled by the EPCI for all its communes."""
    return CategoryFactory(territory=epci, name="Fuite d'eau", group="Eau", sla_hours=24)


def file(category, reporter=None, **kwargs):
    fields = {"title": "Trou", "description": "Un trou dans la chaussée", **IN_A, **kwargs}
    return report_create(category=category, reporter=reporter, **fields)


def test_a_report_is_routed_to_its_commune_district_and_department(pothole, commune_a, resident):
    report = file(pothole, resident)
    assert report.territory == commune_a and report.district.code == "centre"
    assert report.department == pothole.department and report.status == ReportStatus.NEW
    assert report.due_at - report.created_at == timedelta(hours=48)
    assert report.followers.filter(user=resident).exists()
    assert report.events.get().kind == "created"


def test_an_intercommunal_category_lands_in_the_commune_where_the_problem_is(
    water_leak, commune_b, resident
):
    report = file(water_leak, resident, **IN_B)
    assert report.territory == commune_b and report.department == water_leak.department


def test_outside_every_territory_the_resident_is_told(pothole, commune_b, resident):
    with pytest.raises(ValidationError, match="outside the territories"):
        file(pothole, resident, latitude=43.3, longitude=5.4)
    with pytest.raises(ValidationError, match="not handled where"):
        file(pothole, resident, **IN_B)
    assert not Report.objects.exists()


def test_a_place_description_is_enough_without_a_map(pothole, resident):
    report = file(pothole, resident, latitude=None, longitude=None, place="Devant la mairie")
    assert report.district is None and report.place == "Devant la mairie"
    with pytest.raises(ValidationError, match="Say where"):
        file(pothole, resident, latitude=None, longitude=None, place=" ")


def test_photos_lose_every_metadata_and_are_reencoded(pothole, resident):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    upload = SimpleUploadedFile("IMG_0001.jpg", original, content_type="image/jpeg")
    report = file(pothole, resident, photos=[upload])
    photo = report.photos.get()
    stored = Image.open(photo.image.open("rb"))
    assert stored.format == "JPEG" and (photo.width, photo.height) == (64, 48)
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert "icc_profile" not in stored.info and "xmp" not in stored.info


def test_files_that_are_not_images_are_refused(pothole, resident):
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a readable image"):
        file(pothole, resident, photos=[fake])
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        file(pothole, resident, photos=[SimpleUploadedFile("a.gif", gif.getvalue())])
    four = [SimpleUploadedFile(f"{n}.jpg", jpeg_with_gps()) for n in range(4)]
    with pytest.raises(ValidationError, match="At most 3"):
        file(pothole, resident, photos=four)
    assert not Report.objects.exists()


def test_the_workflow_timestamps_each_step(pothole, resident, make_staff, commune_a):
    agent = make_staff(commune_a)
    report = file(pothole, resident)
    report = report_transition(report=report, to=ReportStatus.ACKNOWLEDGED, actor=agent)
    assert report.acknowledged_at is not None and report.closed_at is None
    report = report_transition(
        report=report, to=ReportStatus.RESOLVED, actor=agent, public_note="Rebouché."
    )
    assert report.resolved_at is not None and report.closed_at == report.resolved_at
    steps = list(report.events.values_list("kind", "from_status", "to_status"))
    assert steps[-1] == ("status", "acknowledged", "resolved")
    with pytest.raises(InvalidTransition):
        report_transition(report=report, to=ReportStatus.IN_PROGRESS, actor=agent)


def test_followers_and_offline_reporters_hear_of_public_updates(
    pothole, resident, make_staff, commune_a, django_capture_on_commit_callbacks
):
    agent = make_staff(commune_a)
    neighbour = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        online = file(pothole, resident)
        offline = file(
            pothole,
            None,
            reporter_name="Mme Durand",
            reporter_phone="+33611223344",
            update_channel=UpdateChannel.SMS,
            source=Source.COUNTER,
            assisted_by=agent,
        )
        report_follow(report=online, user=neighbour)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(
            report=online, to=ReportStatus.SCHEDULED, actor=agent, public_note="Intervention jeudi."
        )
        report_transition(report=offline, to=ReportStatus.SCHEDULED, actor=agent)
    to_neighbour = Notification.objects.filter(recipient=neighbour, channel="email")
    assert to_neighbour.count() == 1 and "Intervention jeudi." in to_neighbour.get().body
    sms = Notification.objects.filter(channel="sms", address="+33611223344")
    assert sms.count() == 2  # acknowledgement, then the update
    assert AuditEntry.objects.filter(verb="report_file_for_resident", actor=agent).exists()


def test_a_resolved_report_can_be_reopened_by_its_reporter(
    pothole, resident, make_staff, commune_a
):
    agent = make_staff(commune_a)
    report = file(pothole, resident)
    report_transition(report=report, to=ReportStatus.RESOLVED, actor=agent)
    report.refresh_from_db()
    reopened = report_confirm_fix(report=report, fixed=False, user=resident, comment="Toujours là")
    assert reopened.status == ReportStatus.ACKNOWLEDGED and reopened.reopen_count == 1
    assert reopened.resolved_at is None and reopened.due_at > timezone.now()
    with pytest.raises(ValidationError):
        report_confirm_fix(report=reopened, fixed=True, user=resident)


def test_merging_moves_followers_and_closes_the_duplicate(pothole, resident, make_staff, commune_a):
    agent = make_staff(commune_a)
    first, second = file(pothole, resident), file(pothole, UserFactory())
    merged = report_merge(duplicate=second, into=first, actor=agent)
    assert merged.status == ReportStatus.DUPLICATE and merged.duplicate_of == first
    assert first.followers.count() == 2


def test_similar_open_reports_nearby_are_found(pothole, resident):
    near = file(pothole, resident, latitude=47.0051, longitude=4.8051)
    file(pothole, resident, latitude=47.0085, longitude=4.8085)  # about 460 m away
    found = report_list_nearby_open(category=pothole, latitude=47.005, longitude=4.805)
    assert [report for report, _ in found] == [near] and found[0][1] < 20


def test_every_view_of_contact_details_is_audited(pothole, resident, make_staff, commune_a):
    agent = make_staff(commune_a)
    report = file(pothole, resident, reporter_phone="+33600000001")
    contact = reporter_contact_view(report=report, actor=agent)
    assert contact["phone"] == "+33600000001"
    entry = AuditEntry.objects.get(verb="report_reporter_contact_view")
    assert entry.actor == agent and entry.subject == resident and entry.territory == commune_a


def test_contact_details_and_photos_of_old_closed_reports_are_purged(
    pothole, resident, make_staff, commune_a
):
    ReportingSettings.objects.create(territory=commune_a, contact_retention_days=30)
    agent = make_staff(commune_a)
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps())
    old = file(pothole, resident, reporter_phone="+33600000002", photos=[photo])
    report_transition(report=old, to=ReportStatus.RESOLVED, actor=agent)
    recent_open = file(pothole, resident, reporter_phone="+33600000003")
    assert report_purge_expired_contacts(now=timezone.now() + timedelta(days=29)) == 0
    assert report_purge_expired_contacts(now=timezone.now() + timedelta(days=31)) == 1
    old.refresh_from_db()
    recent_open.refresh_from_db()
    assert old.reporter_phone == "" and not old.photos.exists() and old.contact_purged_at
    assert old.title == "Trou"  # the public record stays
    assert recent_open.reporter_phone == "+33600000003"


def test_resolution_statistics(pothole, resident, make_staff, commune_a):
    agent = make_staff(commune_a)
    for _ in range(3):
        report_transition(report=file(pothole, resident), to=ReportStatus.RESOLVED, actor=agent)
    file(pothole, resident)
    stats = report_resolution_stats(territory_ids={commune_a.pk})
    assert stats["resolved"] == 3 and stats["open"] == 1 and stats["on_time_rate"] == 100.0
    assert stats["median_hours"] is not None and stats["median_hours"] < 1


def test_resolved_reports_are_followed_up_once(
    pothole, resident, make_staff, commune_a, django_capture_on_commit_callbacks
):
    from parvis.reports.services import reports_ask_if_fixed

    agent = make_staff(commune_a)
    report = file(pothole, resident)
    report_transition(report=report, to=ReportStatus.RESOLVED, actor=agent)
    assert reports_ask_if_fixed(now=timezone.now() + timedelta(days=27)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_ask_if_fixed(now=timezone.now() + timedelta(days=29)) == 1
    question = Notification.objects.get(recipient=resident)
    assert f"/signalements/{report.pk}/" in question.body and "?" in question.subject
    assert reports_ask_if_fixed(now=timezone.now() + timedelta(days=60)) == 0


def test_counts_by_category_district_status_and_month(pothole, resident, commune_a):
    from parvis.reports.selectors import report_counts

    lamp = CategoryFactory(territory=commune_a, name="Lampadaire")
    file(pothole, resident)
    file(pothole, resident)
    file(lamp, resident, latitude=None, longitude=None, place="Rue Haute")
    ids = {commune_a.pk}
    by_category = {
        row["category__name"]: row["count"]
        for row in report_counts(territory_ids=ids, by="category")
    }
    assert by_category == {"Nid-de-poule": 2, "Lampadaire": 1}
    by_district = {
        row["district__name"]: row["count"]
        for row in report_counts(territory_ids=ids, by="district")
    }
    assert by_district == {"Centre": 2, None: 1}
    assert report_counts(territory_ids=ids, by="status") == [{"status": "new", "count": 3}]
    assert [row["count"] for row in report_counts(territory_ids=ids, by="month")] == [3]

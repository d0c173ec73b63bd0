"""Build every service once from the settings; the web app and the CLI each hold one."""

from __future__ import annotations

from dataclasses import dataclass

from stride.config import Settings
from stride.services.activity import ActivityService
from stride.services.alerts import AlertService
from stride.services.audit import AuditService
from stride.services.auth import AuthService
from stride.services.context import Clock, Deps, utc_now
from stride.services.demo import DemoService
from stride.services.imports import ImportService
from stride.services.jobs import JobQueue
from stride.services.measurements import MeasurementService
from stride.services.patients import PatientService
from stride.services.plans import PlanService
from stride.services.record import ClinicalRecordService
from stride.services.schedules import ScheduleService
from stride.services.screening import ScreeningService
from stride.services.security_log import SecurityLogService
from stride.services.teams import TeamService
from stride.services.treatment import TreatmentService
from stride.services.users import UserService
from stride.store import migrate
from stride.store.activity_store import ActivityStore
from stride.store.blobs import BlobStore
from stride.store.db import Database


@dataclass(frozen=True, slots=True)
class Services:
    deps: Deps
    auth: AuthService
    users: UserService
    patients: PatientService
    teams: TeamService
    audit: AuditService
    security: SecurityLogService
    demo: DemoService
    measurements: MeasurementService
    alerts: AlertService
    schedules: ScheduleService
    treatment: TreatmentService
    record: ClinicalRecordService
    screening: ScreeningService
    plans: PlanService
    activity: ActivityService
    imports: ImportService
    jobs: JobQueue

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock = utc_now) -> Services:
        deps = Deps(db=Database(settings.resolved_database_url), settings=settings, clock=clock)
        users, teams, patients = (
            UserService(deps),
            TeamService(deps),
            PatientService(deps),
        )
        measurements, alerts = MeasurementService(deps), AlertService(deps)
        schedules, treatment = ScheduleService(deps), TreatmentService(deps)
        screening = ScreeningService(deps)
        plans = PlanService(deps)
        store = ActivityStore(settings.activity_dir)
        activity = ActivityService(deps, store=store)
        imports = ImportService(deps, blobs=BlobStore(settings.blob_dir), store=store)
        jobs = JobQueue(settings, run_import=imports.run)
        if not jobs.immediate:
            imports.use_queue(jobs.enqueue_import)
        return cls(
            deps=deps,
            auth=AuthService(deps),
            users=users,
            patients=patients,
            teams=teams,
            audit=AuditService(deps),
            security=SecurityLogService(deps),
            demo=DemoService(
                deps,
                users=users,
                teams=teams,
                patients=patients,
                measurements=measurements,
                schedules=schedules,
                treatment=treatment,
                screening=screening,
                plans=plans,
                activity=activity,
            ),
            measurements=measurements,
            alerts=alerts,
            schedules=schedules,
            treatment=treatment,
            screening=screening,
            plans=plans,
            activity=activity,
            imports=imports,
            jobs=jobs,
            record=ClinicalRecordService(deps),
        )

    def migrate(self) -> None:
        """Bring the database schema up to date (``stride db upgrade``)."""
        migrate.upgrade(self.deps.db.url)

    def downgrade(self, revision: str = "-1") -> str | None:
        """Migrate the schema down (default one step); returns the revision now in force."""
        migrate.downgrade(self.deps.db.url, revision)
        return migrate.current_revision(self.deps.db.url)

    def schema_is_current(self) -> bool:
        return migrate.current_revision(self.deps.db.url) == migrate.head_revision()

    def close(self) -> None:
        self.jobs.stop_workers()
        self.deps.db.dispose()

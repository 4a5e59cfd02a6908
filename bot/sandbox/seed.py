"""Sample data of this community for the sandbox console, written through the features' own code.

Resources, expert profiles and events go through their service functions (the same validation,
audit and reminder planning as the slash commands); Q&A questions go through the real ``/ask`` and
``/qa solved`` commands, so that their forum posts exist in the sandbox's world. A feature whose
code is not there yet is skipped. Everything here is illustrative sample data, not real guidance.
"""

from __future__ import annotations

import importlib.util
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.db.models import GuildSettings

if TYPE_CHECKING:
    from bot.sandbox.harness import LiaisonSandbox

log = logging.getLogger("liaison.sandbox")


@dataclass(frozen=True)
class SampleResource:
    title: str
    url: str
    description: str
    tags: str
    language: str = "en"
    label: str = "TLP:CLEAR"


RESOURCES = (
    SampleResource(
        "IAEA NSS 15: Nuclear Security Recommendations on Nuclear and Other Radioactive Material "
        "out of Regulatory Control",
        "https://www.iaea.org/publications/8681/nuclear-security-recommendations-on-nuclear-and-"
        "other-radioactive-material-out-of-regulatory-control",
        "The recommendations every detection and response programme starts from: what States "
        "should put in place to detect and respond to material out of regulatory control (MORC).",
        "morc, recommendations, detection, response",
    ),
    SampleResource(
        "IAEA NSS 21: Nuclear Security Systems and Measures for the Detection of Nuclear and Other "
        "Radioactive Material out of Regulatory Control",
        "https://www.iaea.org/publications/10722/nuclear-security-systems-and-measures-for-the-"
        "detection-of-nuclear-and-other-radioactive-material-out-of-regulatory-control",
        "Implementing guide for a national detection architecture: radiation portal monitors and "
        "handheld instruments at borders and inside the country, alarm assessment, information "
        "alerts and the legal framework.",
        "detection, architecture, border, rpm",
    ),
    SampleResource(
        "IAEA NSS 1: Technical and Functional Specifications for Border Monitoring Equipment",
        "https://www.iaea.org/publications/7475/technical-and-functional-specifications-for-"
        "border-monitoring-equipment",
        "Minimum performance of radiation portal monitors, handheld detectors and RIIDs used at "
        "border crossings; useful when writing procurement specifications.",
        "rpm, riid, equipment, border",
    ),
    SampleResource(
        "ICSANT implementation kit",
        "https://www.unodc.org/unodc/en/terrorism/icsant-implementation-kit.html",
        "Model provisions and a checklist for criminalising the offences of the International "
        "Convention for the Suppression of Acts of Nuclear Terrorism in national law.",
        "icsant, legislation, criminal-law",
    ),
    SampleResource(
        "CPPNM and its 2005 Amendment (CPPNM/A): text and explanatory material",
        "https://www.iaea.org/publications/documents/treaties/convention-physical-protection-"
        "nuclear-material",
        "The Convention on the Physical Protection of Nuclear Material as amended: obligations on "
        "physical protection, offences and international cooperation.",
        "cppnm, legislation, physical-protection",
    ),
    SampleResource(
        "RIID operating sheet: identify, save the spectrum, report",
        "https://wiki.rn-practitioners.example/riid-operating-sheet",
        "One page for the field: warm-up and background check, measuring at contact and at 1 m, "
        "saving the spectrum, and what to send to the reachback expert.",
        "riid, detection, field, spectrometry",
        label="TLP:GREEN",
    ),
    SampleResource(
        "Radiological crime scene checklist",
        "https://wiki.rn-practitioners.example/radiological-crime-scene-checklist",
        "Based on IAEA NSS 22-G: cordons, dose-rate survey, evidence collection with contamination "
        "control, chain of custody and hand-over to the nuclear forensics laboratory.",
        "crime-scene, forensics, response, cbrn",
        label="TLP:GREEN",
    ),
    SampleResource(
        "Portal monitor alarm adjudication: secondary inspection SOP",
        "https://wiki.rn-practitioners.example/rpm-alarm-adjudication-sop",
        "Step-by-step adjudication of gamma and neutron alarms at vehicle portals, with the "
        "thresholds and the reachback numbers used by participating customs services.",
        "rpm, alarm, border, customs",
        label="TLP:AMBER",
    ),
    SampleResource(
        "IAEA Incident and Trafficking Database (ITDB) fact sheet",
        "https://www.iaea.org/resources/databases/itdb",
        "What the ITDB collects, who reports, and the yearly figures on incidents involving "
        "nuclear and other radioactive material out of regulatory control.",
        "itdb, trafficking, statistics",
    ),
    SampleResource(
        "Guide de détection des matières nucléaires et radioactives hors contrôle réglementaire",
        "https://wiki.rn-practitioners.example/fr/guide-de-detection",
        "Guide pratique en français : architecture de détection, choix des équipements, "
        "évaluation des alarmes et coordination entre douanes, police et autorité de sûreté.",
        "détection, frontière, morc",
        language="fr",
    ),
    SampleResource(
        "Fiche réflexe : alarme d'un portique de détection de radioactivité",
        "https://wiki.rn-practitioners.example/fr/fiche-reflexe-alarme-portique",
        "Que faire dans les dix premières minutes après une alarme de portique (portal monitor) : "
        "isoler le véhicule, confirmer avec un radiamètre, identifier avec un RIID, alerter "
        "l'autorité compétente.",
        "rpm, alarme, douane, réflexe",
        language="fr",
        label="TLP:GREEN",
    ),
    SampleResource(
        "Convention sur la protection physique des matières nucléaires (CPPNM) : texte en français",
        "https://www.iaea.org/fr/publications/documents/traites/convention-sur-la-protection-"
        "physique-des-matieres-nucleaires",
        "Le texte de la convention et de son amendement de 2005, avec les obligations en matière "
        "d'infractions pénales et de coopération internationale.",
        "cppnm, législation, protection-physique",
        language="fr",
    ),
)
SUGGESTION = SampleResource(
    "Handheld gamma spectrometry: training slides for front-line officers",
    "https://wiki.rn-practitioners.example/handheld-spectrometry-training",
    "Forty slides used in the regional train-the-trainer course, with exercises.",
    "training, riid, spectrometry",
)

# member -> (agency, country, expertise, languages, timezone, bio)
EXPERTS = {
    "carol": (
        "General Department of Customs and Excise of Cambodia",
        "KH",
        "border monitoring, radiation portal monitors, RIID",
        "en, km",
        "Asia/Phnom_Penh",
        "Customs officer at the Bavet land border; trains front-line officers on portal alarms.",
    ),
    "bruno": (
        "Autorité de sûreté nucléaire et de radioprotection",
        "France",
        "regulation, orphan sources, licensing",
        "fr, en",
        "Europe/Paris",
        "Inspecteur de la radioprotection ; sources orphelines et récupération dans la ferraille.",
    ),
    "dmitri": (
        "Police nationale, unité CBRN",
        "SEN",
        "CBRN response, radiological crime scene, nuclear forensics",
        "fr, en, wo",
        "Africa/Dakar",
        "Commandant de l'unité CBRN ; scènes de crime radiologiques et chaîne de custody.",
    ),
    "eve": (
        "Radiation Protection Institute",
        "Ghana",
        "spectrometry, radiation measurement",
        "en",
        "Africa/Accra",
        "Reachback laboratory: spectrum analysis for customs and police.",
    ),
}
VERIFIED = ("carol",)

QUESTIONS = (
    (
        "carol",
        "How do we adjudicate a neutron-only alarm on a vehicle portal monitor?",
        "radiation portal monitors",
        "Third time this month at the same lane: neutron alarm, no gamma, truck of fertiliser.",
    ),
    (
        "bruno",
        "Quelle procédure pour une source orpheline trouvée dans un lot de ferraille ?",
        "orphan sources",
        "Un ferrailleur a détecté un point chaud au portique d'entrée du site.",
    ),
)
ANSWER = (
    "Fertiliser (potash) explains gamma, not neutrons. Check the cosmic-ray 'ship effect' "
    "first: large steel loads raise neutron counts. Re-scan at low speed and compare with "
    "the empty-truck background; if it persists, isolate and call reachback."
)


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


async def needs_seed(sandbox: LiaisonSandbox) -> bool:
    """A database that has neither server settings nor resources for the sandbox's server."""
    assert sandbox.bot is not None and sandbox.guild is not None
    guild_id = sandbox.guild.id
    async with sandbox.bot.db.transaction() as session:
        if await session.get(GuildSettings, guild_id) is not None:
            return False
        if available("bot.db.models.resources"):
            from bot.db.models.resources import Resource

            count = await session.scalar(select(func.count()).where(Resource.guild_id == guild_id))
            return not count
    return True


async def seed(sandbox: LiaisonSandbox) -> Counter[str]:
    """Set the server up and write the sample data; returns what was written, by kind."""
    done: Counter[str] = Counter()
    await sandbox.configure(
        moderator_role_id=sandbox.roles.moderators,
        qa_channel_id=sandbox.channels.qa,
        events_channel_id=sandbox.channels.events,
        review_channel_id=sandbox.channels.review,
    )
    quiet, sandbox.quiet_period = sandbox.quiet_period, 0.02  # seeding waits for answers itself
    try:
        for kind, step in (
            ("resources", _resources),
            ("experts", _experts),
            ("events", _events),
            ("questions", _questions),
            ("courses", _courses),
        ):
            try:
                done[kind] = await step(sandbox)
            except Exception:  # one feature's sample data must not keep the console closed
                log.exception("sample %s not written", kind)
                done[kind] = 0
    finally:
        sandbox.quiet_period = quiet
    return done


def _ids(sandbox: LiaisonSandbox) -> tuple[int, int, datetime]:
    assert sandbox.bot is not None and sandbox.guild is not None
    return sandbox.guild.id, sandbox.users.alice.id, sandbox.bot.clock.now()


async def _resources(sandbox: LiaisonSandbox) -> int:
    if not available("bot.services.resources"):
        return 0
    from bot.services import resources
    from bot.services.resources import suggestions

    assert sandbox.bot is not None
    guild_id, alice, now = _ids(sandbox)
    async with sandbox.bot.db.transaction() as session:
        for item in RESOURCES:
            fields = resources.fields(
                title_text=item.title,
                url_text=item.url,
                description_text=item.description,
                tags_value=item.tags,
                language_text=item.language,
                label_text=item.label,
            )
            await resources.add(session, guild_id, alice, fields, now)
        s = SUGGESTION
        fields = resources.fields(
            title_text=s.title,
            url_text=s.url,
            description_text=s.description,
            tags_value=s.tags,
            language_text=s.language,
        )
        await suggestions.suggest(session, guild_id, sandbox.users.carol.id, fields, now)
    return len(RESOURCES)


async def _experts(sandbox: LiaisonSandbox) -> int:
    if not available("bot.services.experts"):
        return 0
    from bot import i18n
    from bot.services import experts
    from bot.services.experts import verification

    assert sandbox.bot is not None
    guild_id, alice, now = _ids(sandbox)
    async with sandbox.bot.db.transaction() as session:
        for name, (agency, country, expertise, languages, zone, bio) in EXPERTS.items():
            language = "fr" if sandbox.users[name].locale.startswith("fr") else "en"
            data = experts.ProfileInput(
                agency=agency,
                country=country,
                expertise=expertise,
                languages=languages,
                timezone=zone,
                bio=bio,
            )
            await experts.register(
                session,
                guild_id,
                sandbox.users[name].id,
                data,
                consent_text=i18n.t(language, "expert.consent.text"),
                now=now,
            )
        for name in VERIFIED:
            await verification.verify(session, guild_id, alice, sandbox.users[name].id, now=now)
    return len(EXPERTS)


def _local_start(now: datetime, zone: str, after: timedelta, hour: int | None = None) -> str:
    """``YYYY-MM-DD HH:MM`` in ``zone``: ``after`` from now, 1 to 2 hours later on the hour (or
    at ``hour``), so a reminder ``after`` before the start is due after ``time +2h``."""
    local = (now + after).astimezone(ZoneInfo(zone))
    local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    if hour is not None:
        local = local.replace(hour=hour)
    return local.strftime("%Y-%m-%d %H:%M")


async def _events(sandbox: LiaisonSandbox) -> int:
    if not available("bot.services.events"):
        return 0
    from bot.services import events

    assert sandbox.bot is not None
    guild_id, alice, now = _ids(sandbox)
    u = sandbox.users
    tabletop = events.EventInput(
        title="Tabletop exercise: radioactive source found at a land border",
        start=_local_start(now, "Asia/Phnom_Penh", timedelta(days=1)),  # `time +2h`: the 1d reminder
        timezone="Asia/Phnom_Penh",
        duration="3h",
        capacity=30,
        reminders="1d, 1h",
        location="Phnom Penh, General Department of Customs and Excise, and online",
        description="A scenario in four injects: alarm at Bavet, RIID identification, seizure, "
        "and the hand-over to the police CBRN unit. Customs, police and regulators "
        "of the region welcome.",
    )
    webinar = events.EventInput(
        title="Webinaire : détecter les matières radioactives aux frontières",
        start=_local_start(now, "Europe/Paris", timedelta(days=8), hour=14),
        timezone="Europe/Paris",
        duration="90m",
        location="En ligne",
        description="Retours d'expérience de douaniers et d'inspecteurs : portiques, fiches "
        "réflexes et coordination avec l'autorité de sûreté. En français.",
    )
    answers = (
        (tabletop, {u.carol: "going", u.dmitri: "going", u.bruno: "maybe"}),
        (webinar, {u.bruno: "going", u.dmitri: "going", u.eve: "going", u.carol: "maybe"}),
    )
    async with sandbox.bot.db.transaction() as session:
        for data, rsvps in answers:
            change = await events.create(session, guild_id, alice, data, now)
            for user, status in rsvps.items():
                await events.rsvp(session, guild_id, change.event.id, user.id, status, now)
    return len(answers)


async def _questions(sandbox: LiaisonSandbox) -> int:
    """Asked through ``/ask`` so the forum posts exist; the first one answered and solved."""
    names = {c["name"] for c in sandbox.commands}
    if "ask" not in names or "qa" not in names:
        return 0
    asked = 0
    for name, question, topic, details in QUESTIONS:
        before = {t.id for t in sandbox.threads(sandbox.channels.qa)}
        await sandbox.slash("ask", user=sandbox.users[name], question=question, topic=topic, details=details)
        new = [t for t in sandbox.threads(sandbox.channels.qa) if t.id not in before]
        if not new:
            continue
        asked += 1
        if asked == 1:
            await sandbox.send_message(new[0], ANSWER, user=sandbox.users.eve)
            await sandbox.quiet(0.1)
            await sandbox.slash("qa solved", user=sandbox.users[name], channel=new[0])
    return asked


async def _courses(sandbox: LiaisonSandbox) -> int:
    """The sample courses shipped with Liaison (the quick one is the demo's)."""
    if not available("bot.services.learn"):
        return 0
    from bot.services.learn import courses

    assert sandbox.bot is not None
    guild_id, alice, now = _ids(sandbox)
    async with sandbox.bot.db.transaction() as session:
        for path in courses.SAMPLES:
            await courses.load(session, guild_id, alice, path.read_text(encoding="utf-8"), now)
    return len(courses.SAMPLES)

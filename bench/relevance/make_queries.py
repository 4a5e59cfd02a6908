"""Writes queries.jsonl: labelled queries (kind, query, relevant resource keys)."""

import json
from collections import Counter
from pathlib import Path

Q = [
    # exact titles
    ("exact", "Radiological Crime Scene Management", ["nss22g", "nss22gfr"]),
    ("exact", "Designing a physical protection system", ["ppsdesign", "ppsfr"]),
    ("exact", "Insider threat case studies", ["insidercase"]),
    ("exact", "Writing a transport security plan", ["transportplan"]),
    ("exact", "Backpack detectors for wide area search", ["backpack"]),
    ("exact", "Reducing false alarms at portal monitors", ["falsealarm"]),
    ("exact", "Train the trainer", ["ttt"]),
    ("exact", "Handling contaminated evidence", ["evidence"]),
    ("exact", "Guide de détection des matières hors contrôle réglementaire", ["morcfr"]),
    ("exact", "Cobalt-60 teletherapy sources", ["cobalt"]),
    # keywords
    ("keyword", "dosimetry", ["dosimetry", "dosimetryfr"]),
    ("keyword", "calibration", ["calibration", "calibrationfr", "rpmmaint"]),
    ("keyword", "neutron", ["neutron", "neutronfr"]),
    ("keyword", "trustworthiness", ["trustworthiness", "nss8g"]),
    ("keyword", "scrap metal", ["scrap", "scrapfr"]),
    ("keyword", "aerial survey", ["aerial"]),
    ("keyword", "triage", ["masscas", "medical"]),
    ("keyword", "sealed sources hospital", ["sealed", "cobalt"]),
    ("keyword", "container screening seaport", ["rpmseaport", "containerfr"]),
    ("keyword", "nuisance alarms", ["norm", "normfr", "falsealarm", "rpmops", "innocent"]),
    ("keyword", "mail parcels", ["mail"]),
    # acronyms
    ("acronym", "RIID", ["riidops", "riidfr", "riidspectra"]),
    ("acronym", "PRD", ["prdguide", "prdfr", "sprd"]),
    (
        "acronym",
        "RPM",
        ["rpmops", "rpmfr", "rpmmaint", "rpmseaport", "falsealarm", "ansi", "iec", "pedestrian"],
    ),
    ("acronym", "ITDB", ["itdb", "itdbfr", "itdbguide"]),
    ("acronym", "ICSANT", ["icsant", "icsantfr"]),
    ("acronym", "CPPNM", ["infcirc274", "infcirc274fr", "cppnmamend", "amendfr"]),
    ("acronym", "RDD", ["rdd", "rddfr"]),
    ("acronym", "MORC", ["nss15", "nss15fr", "morcnational", "morcfr", "nss21", "nss24g", "riskfr"]),
    ("acronym", "DBT", ["nss10g", "dbtfr"]),
    ("acronym", "NORM", ["norm", "normfr", "innocent"]),
    ("acronym", "SOP customs", ["sop", "sopfr"]),
    ("acronym", "HEU", ["heu"]),
    # typos
    ("typo", "dosimetery", ["dosimetry", "dosimetryfr"]),
    ("typo", "portal monitr alarms", ["rpmops", "falsealarm", "secondary", "rpmfr", "secondaryfr"]),
    ("typo", "contamintion control", ["contamination", "contaminationfr"]),
    ("typo", "forensiks laboratory", ["forensiclab", "gammaspec", "labqa"]),
    ("typo", "trafficing", ["nss6", "customs", "traffickingfr", "coopfr"]),
    ("typo", "insidr threat", ["nss8g", "insidercase", "insiderfr", "trustworthiness"]),
    ("typo", "calibraton", ["calibration", "calibrationfr", "rpmmaint"]),
    ("typo", "spectrometry gama", ["gammaspec", "gammaspecfr"]),
    # French
    ("french", "détecteur personnel", ["prdfr", "prdguide"]),
    ("french", "scène de crime", ["nss22gfr", "crimescenefr", "nss22g", "crimescene"]),
    ("french", "sources orphelines", ["orphanfr", "orphan"]),
    ("french", "menace interne", ["insiderfr", "nss8g", "insidercase"]),
    ("french", "étalonnage des instruments", ["calibrationfr", "calibration"]),
    ("french", "exercice sur table", ["tabletopfr", "tabletop"]),
    ("french", "levée de doute", ["reachbackfr", "adjudication"]),
    (
        "french",
        "protection physique",
        ["ppsfr", "ppsdesign", "nss13", "nss27g", "infcirc274fr", "infcirc274"],
    ),
    ("french", "trafic illicite", ["traffickingfr", "coopfr", "nss6", "customs"]),
    ("french", "contrôle secondaire alarme portique", ["secondaryfr", "secondary", "riidfr"]),
    # cross-language
    ("cross", "détecteur personnel de rayonnement", ["prdguide", "prdfr", "sprd"]),
    (
        "cross",
        "détection des matières hors contrôle réglementaire",
        ["morcfr", "nss21", "nss15", "nss15fr", "morcnational", "nss24g", "riskfr"],
    ),
    ("cross", "chaîne de possession", ["crimescene", "crimescenefr"]),
    (
        "cross",
        "portique de détection",
        ["rpmops", "rpmfr", "rpmmaint", "rpmseaport", "falsealarm", "ansi", "iec", "pedestrian"],
    ),
    ("cross", "criminalistique nucléaire", ["forensicsfr", "nss2g", "forensiclab", "heu"]),
    ("cross", "orphan source", ["orphan", "orphanfr"]),
    ("cross", "menace de référence", ["dbtfr", "nss10g"]),
    ("cross", "sécurité informatique", ["cyberfr", "nss17", "cyberincident"]),
    ("cross", "bombe sale", ["rddfr", "rdd"]),
    ("cross", "insider threat prevention", ["nss8g", "insiderfr", "insidercase", "trustworthiness"]),
    ("cross", "grands événements publics", ["mpefr", "nss18", "mpe"]),
    ("cross", "ferraille", ["scrapfr", "scrap"]),
    # multi-word natural questions
    (
        "natural",
        "secondary inspection localize source handheld after portal alarm",
        ["secondary", "secondaryfr", "localization", "riidops", "riidfr", "vehiclefr"],
    ),
    (
        "natural",
        "sampling and chain of custody at a radiological crime scene",
        ["crimescene", "crimescenefr", "nss22g", "evidence"],
    ),
    (
        "natural",
        "how do I choose a personal radiation detector for officers",
        ["prdguide", "prdfr", "sprd", "equipselect"],
    ),
    (
        "natural",
        "what to do when a portal monitor alarms on a truck carrying ceramics",
        ["norm", "innocent", "normfr", "secondary"],
    ),
    ("natural", "how to report an incident to the IAEA database", ["itdbguide", "itdb"]),
    ("natural", "protecting hospital blood irradiators against theft", ["sealed", "cobalt"]),
    ("natural", "first hour actions for responders at a radiological incident", ["firstresp", "firstrespfr"]),
    ("natural", "how to plan radiation detection for a football tournament", ["mpe", "nss18", "mpefr"]),
    (
        "natural",
        "who does what when material out of regulatory control is detected",
        ["morcnational", "nss15", "conops", "nss21"],
    ),
    (
        "natural",
        "comment organiser le contrôle radiologique aux frontières",
        ["bordercontrolfr", "rpmfr", "primary"],
    ),
    (
        "natural",
        "how to find a radioactive source hidden in a vehicle",
        ["localization", "vehiclefr", "secondary"],
    ),
    (
        "natural",
        "which laws must a country adopt to implement nuclear terrorism convention",
        ["icsant", "icsantfr", "lak", "legalfr"],
    ),
    # identifiers
    ("identifier", "NSS 22-G", ["nss22g", "nss22gfr"]),
    ("identifier", "Nuclear Security Series No. 15", ["nss15", "nss15fr"]),
    ("identifier", "INFCIRC/225", ["nss13", "nss27g"]),
    ("identifier", "NSS 11-G", ["nss11g"]),
    ("identifier", "INFCIRC/274", ["infcirc274", "infcirc274fr"]),
    ("identifier", "TECDOC-1312", ["tecdoc"]),
    ("identifier", "SSR-6", ["ssr6"]),
    ("identifier", "ANSI N42.35", ["ansi"]),
    ("identifier", "NSS No. 8-G", ["nss8g"]),
    ("identifier", "GSR Part 7", ["gsr7"]),
    # prefixes (typed while thinking)
    ("prefix", "dosim", ["dosimetry", "dosimetryfr"]),
    ("prefix", "trustw", ["trustworthiness", "nss8g"]),
    ("prefix", "decontam", ["contamination", "contaminationfr", "medical"]),
    ("prefix", "spectrom", ["gammaspec", "gammaspecfr"]),
    (
        "prefix",
        "portal mon",
        ["rpmops", "rpmfr", "rpmmaint", "rpmseaport", "falsealarm", "ansi", "iec", "pedestrian"],
    ),
    ("prefix", "vulnerab", ["vulnerability"]),
    ("prefix", "teletherap", ["cobalt", "sealed"]),
    ("prefix", "crime sce", ["nss22g", "crimescene", "nss22gfr", "crimescenefr"]),
]

out = Path(__file__).with_name("queries.jsonl")
with out.open("w", encoding="utf-8") as f:
    for kind, query, relevant in Q:
        f.write(json.dumps({"kind": kind, "query": query, "relevant": relevant}, ensure_ascii=False) + "\n")

print(len(Q), "queries", dict(Counter(q[0] for q in Q)))

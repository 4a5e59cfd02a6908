"""Short course files for the tests of the courses feature."""

SHORT_COURSE = """\
id: short-course
title:
  en: Short course
  fr: Cours court
label: TLP:GREEN
languages: [en, fr]
summary:
  en: A two-module course for tests.
  fr: Un cours de deux modules pour les tests.
pass_mark: 50
pre_test:
  questions:
    - question: {en: "Which unit measures dose?", fr: "Quelle unité mesure la dose ?"}
      options: [Sievert, Becquerel, Metre]
      correct: 1
      explanation: {en: "The sievert.", fr: "Le sievert."}
    - question: {en: "Which detect neutrons?", fr: "Lesquels détectent les neutrons ?"}
      options: [He-3 tubes, Plastic scintillators, Li-6 glass]
      correct: [1, 3]
      explanation: {en: "He-3 and Li-6.", fr: "He-3 et Li-6."}
post_test: same
modules:
  - title: {en: Units, fr: Unités}
    lessons:
      - title: {en: Dose, fr: Dose}
        text: {en: "Dose is measured in sieverts.", fr: "La dose se mesure en sieverts."}
        resources: [1]
    quiz:
      pass_mark: 100
      questions:
        - question: {en: "Dose unit?", fr: "Unité de dose ?"}
          options: [Sievert, Gray-blue]
          correct: 1
          explanation: {en: "Sievert is right.", fr: "Le sievert est juste."}
  - title: {en: Neutrons, fr: Neutrons}
    lessons:
      - title: {en: Detectors, fr: Détecteurs}
        text: {en: "He-3 and Li-6 detect neutrons.", fr: "He-3 et Li-6 détectent les neutrons."}
    quiz:
      questions:
        - question: {en: "Neutron detectors?", fr: "Détecteurs de neutrons ?"}
          options: [He-3, NaI, Li-6]
          correct: [1, 3]
          explanation: {en: "He-3 and Li-6.", fr: "He-3 et Li-6."}
"""

AMBER_COURSE = """\
id: amber-course
title: Closed course on sensitive procedures
label: TLP:AMBER
modules:
  - title: Procedures
    lessons:
      - title: Procedure
        text: Restricted text.
"""

#!/bin/sh
# A long hostile-input run: every synced slash command, ROUNDS Hypothesis rounds per persona
# (member, moderator, French member), random seeds. 200 rounds is about 23,000 commands and
# 10,000 autocompletions (~20 minutes on 2 cores).
#   bench/hostile.sh [ROUNDS]
cd "$(dirname "$0")/.." || exit 2
LIAISON_HOSTILE_EXAMPLES="${1:-200}" exec .venv/bin/python -m pytest tests/e2e/test_hostile.py -q -p no:randomly -p no:cacheprovider

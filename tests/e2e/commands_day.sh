#!/bin/sh
# A day of Epic Events through commands only, as a script or cron job would run it:
# no terminal, passwords on standard input, ids read from the JSON the commands print.
# Usage: commands_day.sh GESTION_EMAIL  (GESTION_PASSWORD in the environment)
# Prints the upcoming events as JSON at the end; stops at the first failure.
set -eu

PYTHON="${PYTHON:-python}"
crm() { "$PYTHON" epic_events/project.py "$@"; }
id_of() { "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
login() { printf '%s\n' "$2" | crm login --email "$1" --password-stdin; }

GESTION="$1"
SALES="sales-$$@example.com"
HELPER="support-$$@example.com"
STAFF_PASSWORD="a fine password $$"

# Each step names whose saved session it uses (--as): the last login does not decide.
gestion() { crm --as "$GESTION" "$@"; }
sales() { crm --as "$SALES" "$@"; }

login "$GESTION" "$GESTION_PASSWORD"
printf '%s\n' "$STAFF_PASSWORD" | gestion collaborators create --name "Bill Boquet" \
    --email "$SALES" --phone "+33 6 12 34 56 78" --department commerce --password-stdin \
    --format json >/dev/null
SUPPORT_ID=$(printf '%s\n' "$STAFF_PASSWORD" | gestion collaborators create --name "Kate Hastroff" \
    --email "$HELPER" --phone "+33 6 87 65 43 21" --department support --password-stdin \
    --format json | id_of)

login "$SALES" "$STAFF_PASSWORD"
CLIENT_ID=$(sales clients create --name "Kevin Casey" --email "kevin-$$@startup.io" \
    --phone "+678 123 456 78" --company "Cool Startup LLC" --format json | id_of)

CONTRACT_ID=$(gestion contracts create --client "$CLIENT_ID" --total 1500 --due 1500 \
    --format json | id_of)

sales contracts sign "$CONTRACT_ID" --yes --format json >/dev/null
EVENT_ID=$(sales events create --contract "$CONTRACT_ID" --name "Kevin Casey Launch Party" \
    --start "04/06/2031 13:00" --end "05/06/2031 02:00" \
    --location "53 Rue du Château, 41120 Candé-sur-Beuvron" --attendees 75 \
    --notes "Reception starts at 5PM." --format json | id_of)

# or by the environment, for a whole script (a cron job's)
env EPIC_EVENTS_USER="$GESTION" "$PYTHON" epic_events/project.py events assign "$EVENT_ID" \
    --support "$SUPPORT_ID" --format json >/dev/null

gestion events list --filter upcoming --format json

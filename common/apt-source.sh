# The machine's own Debian mirror, for setup.sh (backports) and
# trixie-root.sh (a Debian 13 root). Sourced, never run.
# shellcheck shell=bash

# Print the URI of the machine's own Debian archive for CODENAME (not
# -security), so that extra suites come from the mirror it already trusts.
debian_archive_uri() {
	local codename=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk -v want="$codename" '
			/^[[:space:]]*$/ { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0; next }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hit = 1 }
			END { if (uri != "" && hit) print uri }' "$f"
	done
	# One-line style; either file may be absent.
	{ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
		awk -v want="$codename" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == want) print $i; break } }'
}

#!/bin/sh
# The documentation says what the code and the other pages say:
# - every "SECTION in `page(N)`" reference in README.md and docs/*.md names
#   a section (.SH) that the man page has;
# - every command line that links a plugin (`-shared`) in the README, the
#   guide, the man pages and the example also passes -Wl,-z,defs, so that a
#   plugin that leans on a symbol of the host fails to build, not to load;
# - the handler header does not promise a resume position in
#   on_stream_open (the stream is re-read from record 0).
#
# Usage: test-docs.sh [SRCDIR] (default: $top_srcdir, as `make check` sets
# it); one line per problem, exit 1 if there is any.
set -u
top=${1:-${top_srcdir:-.}}
cd "$top" || exit 99
[ -f README.md ] || { echo "test-docs: no README.md under $top" >&2; exit 99; }
bad=0

# The file of a man page named NAME(N), or nothing.
page_file() {
	for f in "docs/$1.$2" plugins/*/"$1.$2"; do
		[ -f "$f" ] && { echo "$f"; return; }
	done
}

# Lines joined first: a reference may be wrapped.
refs=$(for f in README.md docs/*.md; do
	tr '\n' ' ' <"$f" | tr -s ' ' | grep -o -E '[A-Z][A-Z ]+[A-Z] in `?[a-z_.-]+\([0-9]\)' | sed "s|^|$f:|"
done)
nrefs=0
old_ifs=$IFS
IFS='
'
for r in $refs; do
	nrefs=$((nrefs + 1))
	where=${r%%:*}
	ref=${r#*:}
	section=$(printf '%s' "$ref" | sed -E 's/ in `?[a-z_.-]+\([0-9]\)$//; s/^.*\b(see|See) //')
	page=$(printf '%s' "$ref" | sed -E 's/^.* in `?([a-z_.-]+)\(([0-9])\)$/\1 \2/')
	file=$(page_file ${page% *} ${page#* })
	if [ -z "$file" ]; then
		echo "test-docs: $where: $ref: no such man page"
		bad=1
	elif ! grep -q -x -F ".SH $section" "$file" && ! grep -q -x -F ".SH \"$section\"" "$file"; then
		echo "test-docs: $where: $ref: $file has no section $section"
		bad=1
	fi
done
IFS=$old_ifs
[ "$nrefs" -gt 0 ] || { echo "test-docs: no section reference found (the check itself is broken)"; bad=1; }

for f in README.md docs/*.md docs/*.3 docs/examples/*.c docs/examples/Makefile; do
	[ -f "$f" ] || continue
	# A link line and the two after it (a command continued with \).
	awk -v f="$f" '
		/(^|[^a-z])(\\)?-shared/ { start = NR; text = "" }
		start && NR <= start + 2 { text = text $0 }
		start && (NR == start + 2 || $0 !~ /\\$/ && $0 !~ /\\e$/) {
			if (text !~ /z,defs/) { printf "test-docs: %s:%d: links a plugin without -Wl,-z,defs\n", f, start; bad = 1 }
			start = 0
		}
		END { exit bad }' "$f" || bad=1
done

if grep -q "resume position" include/thermos/handler.h; then
	echo "test-docs: include/thermos/handler.h: on_stream_open promises a resume position"
	bad=1
fi

exit $bad

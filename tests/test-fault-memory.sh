#!/bin/sh
# Memory bounds of the decoder (checkpoint-format.md, issue 6), each run
# under `ulimit -v` so that an allocation the size a hostile length or
# count asks for fails the test instead of passing unnoticed:
# - a length prefix of 0xFFFFFFFF (4 GiB): refused before any allocation,
#   `record 0 at byte 0: record size 4294967295 exceeds limit 67108864`,
#   exit 65, under a 128 MiB address-space limit;
# - a record of exactly max_record_size (64 MiB) made of nested structs
#   (0c 0001 repeated): `undecodable record: nesting deeper than 64`, exit
#   65, under 128 MiB (the record's bytes and little more);
# - a 13-byte file whose one record declares 64 MiB: `truncated record body
#   (9 of 67108864 bytes)`, an error (exit 65) in replay and a warning
#   (exit 0) in dump and state, under 32 MiB (the buffer grows with the
#   bytes that arrive, not with the declared length);
# - a header whose ports map has 1,000,000 entries (distinct names; and
#   another with 1,000,000 entries over 1,000 names, the last one winning):
#   valid, replay exits 0, `state --json` gives 1000000 (1000) ports, under
#   256 MiB.
# The limits are not applied to a sanitizer build (ASan reserves terabytes
# of address space), under valgrind (make check-valgrind), or when
# TD_NO_ULIMIT is set.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

# No plugin: neither $THERMOS_DISPATCH_CONFIG nor an installed
# configuration or plugin changes what this test sees.
INI=$tmp/none.ini
printf "[host]\n" >"$INI"

# --- a 4 GiB length prefix -----------------------------------------------------
huge=$tmp/huge.ckpt
printf '\377\377\377\377\014\000\001\000\000' >"$huge"
for cmd in replay dump "state --json"; do
	td_lim 131072 -c "$INI" $cmd "$huge"
	check_rc 65
	check_stderr "thermos-dispatch: $huge: record 0 at byte 0: record size 4294967295 exceeds limit $LIMIT"
done

# --- a short file declaring 64 MiB -----------------------------------------------
declared=$tmp/declared.ckpt
printf '\004\000\000\000\014\000\001\000\000\000\000\000\000' >"$declared"
td_lim 32768 -c "$INI" replay "$declared"
check_rc 65
check_stderr "thermos-dispatch: $declared: record 0 at byte 0: truncated record body (9 of $LIMIT bytes)"
for cmd in dump "state --json"; do
	td_lim 32768 -c "$INI" $cmd "$declared"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $declared: record 0 at byte 0: truncated record body (9 of $LIMIT bytes)"
done

# --- 64 MiB of nested structs ----------------------------------------------------
# The pattern doubled 25 times: 3 * 2^25 bytes (96 MiB), cut to the limit.
pat=$tmp/pat
printf '\014\000\001' >"$pat"
i=0
while [ "$i" -lt 25 ]; do
	cat "$pat" "$pat" >"$pat.2" && mv "$pat.2" "$pat" || exit 99
	i=$((i + 1))
done
nested=$tmp/nested.ckpt
{
	printf '\004\000\000\000'
	head -c "$LIMIT" "$pat"
} >"$nested"
rm -f "$pat"
for cmd in replay dump; do
	td_lim 131072 -c "$INI" $cmd "$nested"
	check_rc 65
	check_stdout_empty
	check_stderr "thermos-dispatch: $nested: record 0 at byte 0: undecodable record: nesting deeper than 64"
done

# --- a ports map of 1,000,000 entries ---------------------------------------------
# One record: RunnerCkpt.runner_header (0c 0001) { ports (0d 0006) map<string
# (0b), i64 (0a)> of 1000000 (000f4240) entries }.  Each entry: the length
# 00000006, six digits, then an i64 whose last byte is the newline seq ends
# the line with (the value 10).  18 bytes an entry; the body is 18000014
# (0112a88e) bytes.
ports=$tmp/ports.ckpt
{
	printf '\001\022\250\216\014\000\001\015\000\006\013\012\000\017\102\100'
	seq -w 0 999999 | sed 's/.*/\x00\x00\x00\x06&\x00\x00\x00\x00\x00\x00\x00/'
	printf '\000\000'
} >"$ports"
if [ "$(file_size "$ports")" != 18000018 ]; then
	printf '%s: ERROR: the ports stream has %s bytes, want 18000018\n' "$test_name" "$(file_size "$ports")"
	exit 99
fi
td_lim 262144 -c "$INI" replay "$ports"
check_rc 0
check_stderr_empty
td_lim 262144 state --json "$ports"
check_rc 0
check_stderr_empty
jq_check "$out" '.[0].header.ports | length == 1000000 and .["000000"] == 10 and .["999999"] == 10' \
	"state --json: want 1000000 ports, each 10"

# The same number of entries over 1000 names (the last three digits): each
# name repeats 1000 times, the map keeps one of each.
ports2=$tmp/ports2.ckpt
{
	# 1000000 entries of 4 + 3 + 8 = 15 bytes: body 15000014 (00e4e1ce).
	printf '\000\344\341\316\014\000\001\015\000\006\013\012\000\017\102\100'
	seq -w 0 999999 | cut -c4- | sed 's/.*/\x00\x00\x00\x03&\x00\x00\x00\x00\x00\x00\x00/'
	printf '\000\000'
} >"$ports2"
td_lim 262144 state --json "$ports2"
check_rc 0
check_stderr_empty
jq_check "$out" '.[0].header.ports | length == 1000 and .["000"] == 10 and .["999"] == 10' \
	"state --json: want 1000 ports (names repeated 1000 times each)"

finish

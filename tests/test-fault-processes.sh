#!/bin/sh
# A stream that names a million distinct processes (41 MB: each record a
# WAITING run of `pNNNNNN`): what a hostile task can make the state machine
# keep, each run under `ulimit -v` so that growth past the bound fails the
# test instead of passing unnoticed.
# - by default (`[host] max_processes = 10000`), record 10000 is a stream
#   error, `more than 10000 processes`, exit 65, in replay and state;
# - with the limit raised to 1000000 the whole stream replays, exit 0,
#   under 256 MiB: a process with one run costs about 150 bytes plus its
#   name (tests/test-runner-state.c measures it exactly);
# - the limit's range is checked in the configuration and on the command
#   line.
# The address-space limits are not applied to a sanitizer build, under
# valgrind (where the million-process run is left out: it is the same code
# as the 10000-process one, a hundred times slower), or when TD_NO_ULIMIT
# is set.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

INI=$tmp/none.ini
printf "[host]\n" >"$INI"

# gen_processes N FILE: N records, each RunnerCkpt.process_status { seq 0,
# process "pNNNNNN", state WAITING }: 4 bytes of length (37) and 37 of body.
gen_processes() {
	perl -e '
		binmode STDOUT;
		for my $i (0 .. $ARGV[0] - 1) {
			print pack("N", 37), "\x0c\x00\x02",
			    "\x0a\x00\x01", pack("q>", 0),
			    "\x0b\x00\x03", pack("N", 7), sprintf("p%06d", $i),
			    "\x08\x00\x05", pack("N", 0), "\x00\x00";
		}' "$1" >"$2" || exit 99
}

many=$tmp/many.ckpt
gen_processes 1000000 "$many"
if [ "$(file_size "$many")" != 41000000 ]; then
	printf '%s: ERROR: the stream has %s bytes, want 41000000\n' "$test_name" "$(file_size "$many")"
	exit 99
fi

# --- the default limit ------------------------------------------------------------
td_lim 262144 -c "$INI" replay "$many"
check_rc 65
check_stderr "thermos-dispatch: $many: record 10000 at byte 410000: more than 10000 processes"
td_lim 262144 state --json "$many"
check_rc 65
check_stdout_empty
check_stderr "thermos-dispatch: $many: record 10000 at byte 410000: more than 10000 processes"

# --- a lower and a higher limit -----------------------------------------------------
td_lim 262144 -c "$INI" -o host.max_processes=3 replay "$many"
check_rc 65
check_stderr "thermos-dispatch: $many: record 3 at byte 123: more than 3 processes"
td_lim 262144 state --max-processes 3 "$many"
check_rc 65
check_stderr "thermos-dispatch: $many: record 3 at byte 123: more than 3 processes"
if [ -z "$vg_dir" ]; then
	td_lim 262144 -c "$INI" -o host.max_processes=1000000 replay "$many"
	check_rc 0
	check_stderr_empty
fi
few=$tmp/few.ckpt
gen_processes 5 "$few"
td -c "$INI" -o host.max_processes=5 replay "$few"
check_rc 0
check_stderr_empty
td state --json --max-processes 5 "$few"
check_rc 0
jq_check "$out" '.[0].processes | length == 5 and .p000004[0].state == "WAITING"' \
	"state --json: want 5 processes"

# --- the limit's range ----------------------------------------------------------------
for v in 0 -1 16777217 1e3 ten ""; do
	td -c "$INI" -o "host.max_processes=$v" replay "$few"
	check_rc 78
	check_stderr "thermos-dispatch: -o:1: [host] max_processes: expected an integer from 1 to 16777216, not '$v'"
	td state --max-processes "$v" "$few"
	check_rc 64
	check_stderr "thermos-dispatch: state: --max-processes: expected an integer from 1 to 16777216, not '$v' (see 'thermos-dispatch state --help')"
done
printf '[host]\nmax_processes = 20000000\n' >"$tmp/big.ini"
td -c "$tmp/big.ini" replay "$few"
check_rc 78
check_stderr "thermos-dispatch: $tmp/big.ini:2: [host] max_processes: expected an integer from 1 to 16777216, not '20000000'"

finish

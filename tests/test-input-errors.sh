#!/bin/sh
# Inputs: a missing file, a directory (exit 66, nothing on stdout, one line
# `thermos-dispatch: PATH: REASON` with PATH exactly as given, relative
# paths included), and `-` for standard input (a file, a pipe, an empty
# input; errors name the path `-`).  The unreadable file is in
# test-input-unreadable.sh.  A write error (stdout on /dev/full): exit 70,
# one line on stderr.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

mkdir "$tmp/dir" "$tmp/cwd"
for cmd in "state --json" "state" "dump" "state --json --strict" "dump --strict"; do
	td $cmd "$tmp/missing"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/missing: No such file or directory"

	td $cmd "$tmp/dir"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/dir: Is a directory"

	td $cmd "$tmp/dir/"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/dir/: Is a directory"

	td $cmd "$tmp/missing/x"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/missing/x: No such file or directory"
done

# Relative paths are printed as given.
cp "$GEN/broken-seq_gap-0.ckpt" "$tmp/cwd/gap.ckpt"
cd "$tmp/cwd" || exit 99
td state --json nope
check_rc 66
check_stdout_empty
check_stderr "thermos-dispatch: nope: No such file or directory"

td dump ./nope
check_rc 66
check_stdout_empty
check_stderr "thermos-dispatch: ./nope: No such file or directory"

td state --json ../dir
check_rc 66
check_stdout_empty
check_stderr "thermos-dispatch: ../dir: Is a directory"

td state --json .
check_rc 66
check_stdout_empty
check_stderr "thermos-dispatch: .: Is a directory"

td state --json gap.ckpt
check_rc 65
check_stdout_empty
check_stderr "thermos-dispatch: gap.ckpt: record 23 at byte 1318: out of order sequence number 0 => 2"

td state --json ./gap.ckpt
check_rc 65
check_stdout_empty
check_stderr "thermos-dispatch: ./gap.ckpt: record 23 at byte 1318: out of order sequence number 0 => 2"
cd / || exit 99

# Standard input: a regular file.
f=$GEN/valid-11.ckpt
td_in "$f" state --json -
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-11.state.json"

td_in "$f" state --json --truncate -
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-11.truncated.state.json"

td dump "$f"
dump_file=$out
td_in "$f" dump -
check_rc 0
check_stderr_empty
jsonl_eq "$dump_file" "$out" "dump - vs dump FILE"

# Standard input: a pipe.
cat_f() { cat "$f"; }
td_pipe cat_f state --json -
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-11.state.json"

td_pipe cat_f dump -
check_rc 0
check_stderr_empty
jsonl_eq "$dump_file" "$out" "dump - (pipe) vs dump FILE"

# Standard input: empty.
td_in /dev/null state --json -
check_rc 0
check_stderr_empty
check_stdout_json_text '{"processes": {}}'

td_in /dev/null dump -
check_rc 0
check_stderr_empty
check_stdout_empty

# Errors on standard input name `-`.
td_in "$GEN/broken-seq_gap-0.ckpt" state --json -
check_rc 65
check_stdout_empty
check_stderr "thermos-dispatch: -: record 23 at byte 1318: out of order sequence number 0 => 2"

td_in "$GEN/broken-huge_length-0.ckpt" dump -
check_rc 65
check_stderr "thermos-dispatch: -: record 25 at byte 2159: record size 2147483647 exceeds limit 67108864"
check_dump_shape "$out" 25

# A failed write (a full disk): exit 70, one error line.
if [ -w /dev/full ]; then
	for cmd in "state --json" "state" "dump"; do
		what="thermos-dispatch $cmd $f > /dev/full"
		newfile
		err=$nf.err
		"$TD" $cmd "$f" </dev/null >/dev/full 2>"$err"
		rc=$?
		check_rc 70
		check_stderr_prefix "thermos-dispatch: "
	done
	what="thermos-dispatch encode < $GEN/valid-11.events.jsonl > /dev/full"
	"$TD" encode <"$GEN/valid-11.events.jsonl" >/dev/full 2>"$err"
	rc=$?
	check_rc 70
	check_stderr_prefix "thermos-dispatch: "
fi

finish

#!/bin/sh
# The command line (the stage's CLI contract): --version and --help, global
# and per command (stdout, exit 0, nothing on stderr); usage errors: exit 64,
# nothing on stdout, exactly one line on stderr with the hint.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

f=$GEN/valid-00.ckpt

# --version everywhere.
for cmd in "" state dump encode; do
	td $cmd --version
	check_rc 0
	check_stderr_empty
	check_stdout "thermos-dispatch 0.1.0"
done

# --help everywhere: usage on stdout.
for cmd in "" state dump encode; do
	td $cmd --help
	check_rc 0
	check_stderr_empty
	if grep -qi usage "$out"; then ok; else fail "want a usage text on stdout"; show_file stdout "$out"; fi
	cp "$out" "$tmp/help-$cmd.txt"
done
# The global help names the commands, each command's help its options.
what="thermos-dispatch --help"
for word in state dump encode; do
	if grep -q -- "$word" "$tmp/help-.txt"; then ok; else fail "help does not mention $word"; fi
done
what="thermos-dispatch state --help"
for word in --json --truncate --strict; do
	if grep -q -- "$word" "$tmp/help-state.txt"; then ok; else fail "help does not mention $word"; fi
done
what="thermos-dispatch dump --help"
if grep -q -- --strict "$tmp/help-dump.txt"; then ok; else fail "help does not mention --strict"; fi

# --help wins over a missing FILE; it does not read the file.
td state --help --json
check_rc 0
check_stderr_empty

# No command.
td
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: missing command (see 'thermos-dispatch --help')"

# Unknown command.
td foo
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: unknown command 'foo' (see 'thermos-dispatch --help')"

td foo "$f"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: unknown command 'foo' (see 'thermos-dispatch --help')"

# Unknown global option: a usage error (its exact text is not in the contract).
td --foo state "$f"
check_rc 64
check_stdout_empty
check_stderr_prefix "thermos-dispatch: "

for cmd in state dump; do
	hint="(see 'thermos-dispatch $cmd --help')"

	# Unknown option.
	td $cmd --foo "$f"
	check_rc 64
	check_stdout_empty
	check_stderr "thermos-dispatch: $cmd: unknown option '--foo' $hint"

	# Missing FILE.
	td $cmd
	check_rc 64
	check_stdout_empty
	check_stderr "thermos-dispatch: $cmd: missing FILE $hint"

	td $cmd --strict
	check_rc 64
	check_stdout_empty
	check_stderr "thermos-dispatch: $cmd: missing FILE $hint"

	# An extra argument (a usage error, before any file is opened).
	td $cmd "$f" B
	check_rc 64
	check_stdout_empty
	check_stderr "thermos-dispatch: $cmd: unexpected argument 'B' $hint"

	td $cmd "$tmp/no-such-A" B
	check_rc 64
	check_stdout_empty
	check_stderr "thermos-dispatch: $cmd: unexpected argument 'B' $hint"
done

# state's own options are not dump's.
td dump --json "$f"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: dump: unknown option '--json' (see 'thermos-dispatch dump --help')"

td dump --truncate "$f"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: dump: unknown option '--truncate' (see 'thermos-dispatch dump --help')"

# state --json and --truncate in any order, before FILE.
td state --truncate --json "$f"
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-00.truncated.state.json"

# encode: same forms (it takes no FILE).
hint="(see 'thermos-dispatch encode --help')"
td encode --foo
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: encode: unknown option '--foo' $hint"

td encode B
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: encode: unexpected argument 'B' $hint"

finish

from tests.sync.conftest import deliver, payload, upsert


def test_inbox_list_shows_messages_and_failed_ones_only_with_the_flag(app, hotels):
    good = deliver(payload(upsert("e1")))
    bad = deliver(b"not json at all")
    runner = app.test_cli_runner()

    everything = runner.invoke(args=["guestrel", "inbox", "list"])
    assert everything.exit_code == 0, everything.output
    lines = everything.output.splitlines()
    assert lines[0].startswith(f"{bad.id}\t") and "\tjsonpms\tSHA\tfailed\t-\tnot JSON" in lines[0]
    assert lines[1].startswith(f"{good.id}\t") and lines[1].endswith("\tapplied\tapplied 1\t")

    failed = runner.invoke(args=["guestrel", "inbox", "list", "--failed"])
    assert [line.split("\t")[0] for line in failed.output.splitlines()] == [str(bad.id)]


def test_inbox_replay_reports_the_outcome_and_refuses_what_did_not_fail(app, hotels, adapter_module):
    message = deliver(payload(upsert("e1"), version=3))
    runner = app.test_cli_runner()

    still_failing = runner.invoke(args=["guestrel", "inbox", "replay", str(message.id)])
    assert still_failing.exit_code == 1
    assert f"Message {message.id} is now failed." in still_failing.output
    assert "unknown payload version 3" in still_failing.output

    adapter_module.ACCEPTED_VERSIONS.add(3)
    fixed = runner.invoke(args=["guestrel", "inbox", "replay", str(message.id)])
    assert fixed.exit_code == 0 and f"Message {message.id} is now applied." in fixed.output

    again = runner.invoke(args=["guestrel", "inbox", "replay", str(message.id)])
    assert again.exit_code == 1 and "Only a failed message can be replayed; this one is applied." in again.output

    missing = runner.invoke(args=["guestrel", "inbox", "replay", "99999"])
    assert missing.exit_code == 1 and "There is no inbox message with this id." in missing.output

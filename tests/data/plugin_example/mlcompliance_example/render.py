"""An output format: one line per finding that passed or failed, for chat notifications."""


def oneline(result, **options):
    """`result` is the JSON result (as `--format json` prints it, parsed); returns text."""
    head = f"{result['project']['name']}: {result['gate']['verdict']}"
    lines = [f"{head} (result {result['result_version']}, as of {result['as_of']})"]
    for finding in result["findings"]:
        if finding["outcome"] in ("pass", "fail") and finding["pack"] == "example-docs":
            where = f"{finding['location']['file']}:{finding['location']['line']}"
            lines.append(f"{finding['outcome'].upper()} {finding['rule_id']} {where} {finding['message']}")
    return "\n".join(lines) + "\n"

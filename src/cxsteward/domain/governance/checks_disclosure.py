"""Fragmentation: every function's AI tells customers it is AI, in the same words."""

from __future__ import annotations

from cxsteward.domain.governance.checks_model import Gap, GovernanceFacts, deployment_object


def _normal(text: str) -> str:
    # Line breaks and double spaces from YAML are not a different statement.
    return " ".join(text.split())


def check_disclosure(facts: GovernanceFacts) -> list[Gap]:
    """Disclosure per channel of each live deployment, and consistent across functions."""
    gaps: list[Gap] = []
    # channel -> function -> statements used there ("" when a deployment discloses nothing)
    by_channel: dict[str, dict[str, set[str]]] = {}
    for dep in facts.live_facing:
        for channel in dep.channels:
            statement = _normal(dep.disclosure.get(channel, ""))
            by_channel.setdefault(channel, {}).setdefault(dep.function.value, set()).add(statement)
            if not statement:
                gaps.append(
                    Gap(
                        "disclosure.missing",
                        True,
                        f"{deployment_object(dep)}/channel:{channel}",
                        f"{dep.name} is live on {channel} and customers there are not told "
                        "they are dealing with AI.",
                        f"Add deployments[{dep.key}].disclosure.{channel} with the statement "
                        "customers see.",
                    )
                )
    for channel in sorted(by_channel):
        functions = by_channel[channel]
        if len(functions) < 2:
            continue
        silent = sorted(f for f, texts in functions.items() if "" in texts)
        speaking = sorted(f for f, texts in functions.items() if texts - {""})
        if silent and speaking:
            gaps.append(
                Gap(
                    "disclosure.partial",
                    False,
                    f"channel:{channel}",
                    f"On {channel}, {', '.join(speaking)} disclose AI and "
                    f"{', '.join(silent)} do not: customers get a different answer depending "
                    "on which team's AI they reach.",
                    "Agree one disclosure for the channel and use it in every function.",
                )
            )
        texts = {f: sorted(t - {""}) for f, t in functions.items() if t - {""}}
        if len({s for statements in texts.values() for s in statements}) > 1 and len(texts) > 1:
            shown = "; ".join(
                f"{function} says " + " / ".join(f'"{s}"' for s in statements)
                for function, statements in sorted(texts.items())
            )
            gaps.append(
                Gap(
                    "disclosure.inconsistent",
                    False,
                    f"channel:{channel}",
                    f"On {channel}, functions disclose AI in different words: {shown}.",
                    "Agree one statement per channel (with legal) and use it everywhere.",
                )
            )
    return gaps

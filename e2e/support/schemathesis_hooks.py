"""Schemathesis hooks for the contract suite, for two rules openapi.yaml states in prose because JSON Schema
cannot, and whose bodies are therefore not generated (the Swift tests cover both):
- a message or a display name blank after trimming white space (NUL dropped) is 422 message_blank or
  display_name_blank; JSON Schema can state it only as a pattern that trips schemathesis' coverage phase;
- a text's limit counts characters (grapheme clusters, at most 4 Unicode scalars each), while `maxLength`
  counts scalars, "a stricter bound": a text over `maxLength` scalars but within the limit in characters is
  accepted by the server and invalid to the schema (MessageRules, MessageMeasureTests). A fuzzing run with
  seed 328200102 sent such a bio (43 characters with combining marks, 210 scalars) and failed on it."""
import regex
import schemathesis


@schemathesis.hook
def filter_body(ctx, body):
    if not isinstance(body, dict):
        return True
    # str.strip() removes a superset of the white space the server trims: it only filters more.
    if any(body[field].replace("\x00", "").strip() == ""
           for field in ("message", "display_name") if isinstance(body.get(field), str)):
        return False
    return not any(between_the_bounds(body.get(field), schema.get("maxLength"))
                   for field, schema in text_fields(ctx))


def text_fields(ctx):
    """The body's properties as this operation's schema states them (name, schema)."""
    for payload in (ctx.operation.body if ctx.operation is not None else []):
        yield from payload.definition.get("schema", {}).get("properties", {}).items()


def between_the_bounds(text, limit) -> bool:
    """Over `limit` in scalars, within it in characters and within 4 scalars a character: the one place where
    the schema's `maxLength` and the server's rule disagree (by design)."""
    if not isinstance(text, str) or limit is None or len(text) <= limit or len(text) > 4 * limit:
        return False
    return len(regex.findall(r"\X", text)) <= limit

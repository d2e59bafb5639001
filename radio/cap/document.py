"""A CAP 1.2 alert (OASIS Common Alerting Protocol) read from XML: checked against the
standard's schema first, so everything after it may trust the shape, then taken into plain
data classes. The parser never fetches anything and never expands entities (an alert comes
from outside and could carry an XML bomb or point at local files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from lxml import etree

from radio.errors import Invalid

NS = "urn:oasis:names:tc:emergency:cap:1.2"
_Q = {"c": NS}
MAX_BYTES = 512 * 1024  # a CAP message with a long text is some kilobytes


@dataclass(frozen=True)
class Area:
    """Where the alert applies: polygons and circles (WGS 84 degrees; radius in km) and
    geocodes (valueName, value), with the description people read."""

    desc: str
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    circles: list[tuple[float, float, float]] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Info:
    language: str
    event: str
    urgency: str
    severity: str
    certainty: str
    expires: datetime | None
    headline: str
    description: str
    instruction: str
    areas: list[Area]

    @property
    def vietnamese(self) -> bool:
        return self.language.lower().split("-")[0] == "vi"

    def reading(self) -> str:
        """What the loudspeakers say: headline, description and instruction, in order."""
        parts = [self.headline, self.description, self.instruction]
        return "\n".join(p.strip() for p in parts if p.strip())


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: str  # Actual, Exercise, System, Test, Draft
    msg_type: str  # Alert, Update, Cancel, Ack, Error
    references: list[tuple[str, str]]  # (sender, identifier) of earlier alerts
    infos: list[Info]
    xml: str  # the message as received, re-serialized in Unicode (no declaration)

    def info(self) -> Info | None:
        """The Vietnamese info block, which is the one read on air."""
        return next((i for i in self.infos if i.vietnamese), None)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(__file__).with_name("cap-1.2.xsd"))))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(data: bytes) -> Alert:
    """The alert in `data`, or Invalid saying what is wrong with it."""
    if len(data) > MAX_BYTES:
        raise Invalid(
            f"a CAP message is at most {MAX_BYTES // 1024} KB",
            f"bản tin CAP tối đa {MAX_BYTES // 1024} KB",
        )
    root = element(data)
    check(root)
    return _alert(root)


def element(data: bytes) -> etree._Element:
    """The XML's root element, or Invalid when it is not well-formed XML."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise Invalid(f"not well-formed XML: {e}", f"XML không hợp lệ: {e}") from e
    if root.getroottree().docinfo.internalDTD is not None:  # entities live there: CAP needs none
        raise Invalid(
            "the document declares a DOCTYPE, which CAP messages never need",
            "tài liệu có khai báo DOCTYPE, bản tin CAP không bao giờ cần",
        )
    return root


def check(root: etree._Element) -> None:
    """Invalid unless `root` is a CAP 1.2 alert as the schema describes it."""
    if root.tag != f"{{{NS}}}alert":
        raise Invalid(
            f"not a CAP 1.2 alert (the root element is {root.tag}, expected alert in {NS})",
            f"không phải bản tin CAP 1.2 (phần tử gốc là {root.tag})",
        )
    try:
        schema().assertValid(root)
    except (etree.DocumentInvalid, etree.XMLSchemaValidateError) as e:
        raise Invalid(
            f"the alert does not follow the CAP 1.2 schema ({e})",
            f"bản tin không đúng lược đồ CAP 1.2 ({e})",
        ) from e


def _text(node: etree._Element, name: str) -> str:
    found = node.find(f"c:{name}", _Q)
    return (found.text or "").strip() if found is not None else ""


def moment(value: str) -> datetime:
    """A CAP time ("2026-12-03T10:00:00+07:00"); the schema has checked its form."""
    return datetime.fromisoformat(value)


def _alert(root: etree._Element) -> Alert:
    references = []
    for item in _text(root, "references").split():
        parts = item.split(",")
        if len(parts) == 3:
            references.append((parts[0], parts[1]))
    return Alert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=moment(_text(root, "sent")),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        references=references,
        infos=[_info(node) for node in root.findall("c:info", _Q)],
        xml=etree.tostring(root, encoding="unicode"),
    )


def _info(node: etree._Element) -> Info:
    expires = _text(node, "expires")
    return Info(
        language=_text(node, "language") or "en-US",
        event=_text(node, "event"),
        urgency=_text(node, "urgency"),
        severity=_text(node, "severity"),
        certainty=_text(node, "certainty"),
        expires=moment(expires) if expires else None,
        headline=_text(node, "headline"),
        description=_text(node, "description"),
        instruction=_text(node, "instruction"),
        areas=[_area(a) for a in node.findall("c:area", _Q)],
    )


def _area(node: etree._Element) -> Area:
    return Area(
        desc=_text(node, "areaDesc"),
        polygons=[_points(p.text or "") for p in node.findall("c:polygon", _Q)],
        circles=[_circle(c.text or "") for c in node.findall("c:circle", _Q)],
        geocodes=[
            (_text(g, "valueName"), _text(g, "value")) for g in node.findall("c:geocode", _Q)
        ],
    )


def _pair(text: str) -> tuple[float, float]:
    lat, lon = text.split(",")
    return float(lat), float(lon)


def _points(text: str) -> list[tuple[float, float]]:
    """A CAP polygon: "lat,lon lat,lon ..." with at least four pairs, first equal to last."""
    try:
        points = [_pair(p) for p in text.split()]
    except ValueError as e:
        raise _shape("polygon", text) from e
    if len(points) < 4 or points[0] != points[-1]:
        raise _shape("polygon", text)
    return points


def _circle(text: str) -> tuple[float, float, float]:
    """A CAP circle: "lat,lon radius" with the radius in kilometres."""
    try:
        centre, radius = text.split()
        lat, lon = _pair(centre)
        return lat, lon, float(radius)
    except ValueError as e:
        raise _shape("circle", text) from e


def _shape(kind: str, text: str) -> Invalid:
    return Invalid(
        f"the {kind} {text[:80]!r} is not as CAP 1.2 writes one",
        f"vùng {kind} {text[:80]!r} không đúng cách viết của CAP 1.2",
    )

"""APS and INS rules on a small bundle: each rejection on OLM's install path for owned and
required APIServices, the install strategy's deployments, the Service OLM puts in front of
a serving deployment, and the CRD names OLM parses on every sync; CSV010's served check."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_tools.findings import Severity
from bundle_tools.validate import validate_bundles

from .conftest import copy_writable, shared_path
from .validate_helpers import BASE_CSV, CRD, edit, write_bundle

INSTALL = "  install:\n"
#: A second deployment, inserted after widget-controller's container.
SECOND_DEPLOYMENT = """\
      - name: widget-metrics
        spec:
          selector: {matchLabels: {app: m}}
          template:
            metadata: {labels: {app: m}}
            spec:
              serviceAccountName: widget-controller
              containers:
              - name: metrics
                image: registry.example.com/widget/widget-metrics:1.2.0
"""
POD_ACCOUNT = "serviceAccountName: widget-controller\n              containers"
SERVICE_ACCOUNT = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: widget-runner\n"
LAST_CONTAINER = "                image: registry.example.com/widget/widget-operator:1.2.0\n"


def _apiservice(
    which: str = "owned",
    group: str = "metrics.example.com",
    version: str = "v1beta1",
    kind: str = "WidgetMetrics",
    extra: str = "      deploymentName: widget-controller\n",
) -> str:
    return (
        f"    {which}:\n    - group: {group}\n      version: {version}\n      kind: {kind}\n"
        f"      name: {kind.lower()}s\n{extra}"
    )


def _with_apiservices(*entries: str, csv: str = BASE_CSV) -> str:
    return edit(csv, INSTALL, "  apiservicedefinitions:\n" + "".join(entries) + INSTALL)


def _webhook(name: str, deployment: str = "widget-controller", ports: str = "") -> str:
    return (
        f"  - type: ValidatingAdmissionWebhook\n    generateName: {name}\n"
        f"    deploymentName: {deployment}\n    admissionReviewVersions: [v1]\n"
        f"    sideEffects: None\n{ports}"
    )


def _with_webhooks(*hooks: str, csv: str = BASE_CSV) -> str:
    return edit(csv, INSTALL, "  webhookdefinitions:\n" + "".join(hooks) + INSTALL)


def _two_deployments(csv: str = BASE_CSV) -> str:
    return edit(csv, LAST_CONTAINER, LAST_CONTAINER + SECOND_DEPLOYMENT)


def _pos(text: str, needle: str, nth: int = 0, skip: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` in ``text``, moved
    ``skip`` characters right (past a key to its value)."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += skip
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def _findings(tmp_path: Path, csv: str, select: str, files: dict | None = None) -> list[tuple]:
    bundle = write_bundle(tmp_path / "b", csv=csv, files=files)
    report = validate_bundles([bundle], select=(select,))
    return [
        (f.rule, f.severity, f.location.line, f.location.column, f.message)
        for f in report.sorted_findings()
    ]


def _only(found: list[tuple]) -> tuple:
    assert len(found) == 1, found
    return found[0]


# -- APS001 ------------------------------------------------------------------------------


def test_aps001_unknown_deployment(tmp_path: Path) -> None:
    csv = _with_apiservices(_apiservice(extra="      deploymentName: widget-server\n"))
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "APS001"))
    assert (rule, severity) == ("APS001", Severity.ERROR)
    assert (line, column) == _pos(csv, "widget-server")
    assert "v1beta1.metrics.example.com (WidgetMetrics)" in message
    assert "deploymentName 'widget-server'" in message
    assert "DeploymentNotFound" in message and "(widget-controller)" in message


def test_aps001_missing_deployment_name_points_at_the_entry(tmp_path: Path) -> None:
    csv = _with_apiservices(_apiservice(extra=""))
    rule, _, line, column, message = _only(_findings(tmp_path, csv, "APS001"))
    assert (rule, line, column) == ("APS001", *_pos(csv, "group: metrics"))
    assert "has no deploymentName" in message


def test_aps001_strategy_deployment_passes(tmp_path: Path) -> None:
    assert _findings(tmp_path, _with_apiservices(_apiservice()), "APS") == []


# -- APS002 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "version", "needle", "reason"),
    [
        ("metrics.example.com", "1beta1", "1beta1", "version '1beta1' is not a DNS-1035 label"),
        ("metrics.example.com", "v1.2", "v1.2\n", "is not a DNS-1035 label"),
        ("''", "v1beta1", "''", "an empty group is allowed only with version 'v1'"),
        ("Metrics.Example.com", "v1", "Metrics", "group 'Metrics.Example.com' is not a DNS-1123"),
    ],
)
def test_aps002_refused_group_or_version(
    tmp_path: Path, group: str, version: str, needle: str, reason: str
) -> None:
    csv = _with_apiservices(_apiservice(group=group, version=version))
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "APS002"))
    assert (rule, severity) == ("APS002", Severity.ERROR)
    assert (line, column) == _pos(csv, needle)
    assert reason in message and "the API server refuses the APIService" in message


def test_aps002_empty_group_with_v1_passes(tmp_path: Path) -> None:
    csv = _with_apiservices(_apiservice(group="''", version="v1"))
    assert _findings(tmp_path, csv, "APS002") == []


# -- APS003 ------------------------------------------------------------------------------


def test_aps003_one_group_version_on_two_deployments(tmp_path: Path) -> None:
    csv = _with_apiservices(
        _apiservice(extra="      deploymentName: widget-metrics\n"),
        _apiservice(kind="WidgetStats").replace("    owned:\n", ""),
        csv=_two_deployments(),
    )
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "APS003"))
    assert (rule, severity) == ("APS003", Severity.ERROR)
    assert (line, column) == _pos(csv, "widget-metrics\n")
    assert "OLM serves v1beta1.metrics.example.com from 'widget-controller'" in message
    assert "'widget-metrics' gets no serving certificate" in message


def test_aps003_is_a_warning_when_a_webhook_certifies_the_deployment(tmp_path: Path) -> None:
    csv = _with_apiservices(
        _apiservice(extra="      deploymentName: widget-metrics\n"),
        _apiservice(kind="WidgetStats").replace("    owned:\n", ""),
        csv=_with_webhooks(
            _webhook("vmetrics.example.com", "widget-metrics"), csv=_two_deployments()
        ),
    )
    rule, severity, line, _, message = _only(_findings(tmp_path, csv, "APS003"))
    assert (rule, severity, line) == (
        "APS003",
        Severity.WARNING,
        _pos(csv, "widget-metrics\n", 1)[0],
    )
    assert "no serving certificate" not in message


def test_aps003_other_container_port_is_a_warning(tmp_path: Path) -> None:
    port = "      deploymentName: widget-controller\n      containerPort: {}\n"
    csv = _with_apiservices(
        _apiservice(extra=port.format(8443)),
        _apiservice(kind="WidgetStats", extra=port.format(9443)).replace("    owned:\n", ""),
    )
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "APS003"))
    assert (rule, severity, (line, column)) == ("APS003", Severity.WARNING, _pos(csv, "8443"))
    assert "containerPort 8443" in message and "on 9443" in message


def test_aps003_kinds_of_one_group_version_on_one_deployment_pass(tmp_path: Path) -> None:
    csv = _with_apiservices(
        _apiservice(), _apiservice(kind="WidgetStats").replace("    owned:\n", "")
    )
    assert _findings(tmp_path, csv, "APS") == []


# -- APS004 ------------------------------------------------------------------------------


REQUIRED_METRICS = _apiservice(
    which="required", group="metrics.k8s.io", kind="PodMetrics", extra=""
)


def test_aps004_required_apiservice_stops_the_install(tmp_path: Path) -> None:
    csv = _with_apiservices(REQUIRED_METRICS, csv=_two_deployments())
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "APS004"))
    assert (rule, severity) == ("APS004", Severity.ERROR)
    assert (line, column) == _pos(csv, "group: metrics.k8s.io")
    assert "'pre-existing APIService v1beta1.metrics.k8s.io is not adoptable'" in message
    assert "never creates deployment widget-metrics: the CSV never reaches Succeeded" in message


def test_aps004_owned_apiservice_after_it_is_never_created(tmp_path: Path) -> None:
    csv = _with_apiservices(_apiservice(group="zmetrics.example.com"), REQUIRED_METRICS)
    rule, severity, _, _, message = _only(_findings(tmp_path, csv, "APS004"))
    assert (rule, severity) == ("APS004", Severity.ERROR)
    assert "never creates APIService v1beta1.zmetrics.example.com" in message


def test_aps004_one_deployment_and_nothing_after_is_a_warning(tmp_path: Path) -> None:
    csv = _with_apiservices(_apiservice(group="ametrics.example.com"), REQUIRED_METRICS)
    rule, severity, _, _, message = _only(_findings(tmp_path, csv, "APS004"))
    assert (rule, severity) == ("APS004", Severity.WARNING)
    assert "fails once (ComponentFailed)" in message and "marks the CSV Succeeded" in message


def test_aps004_required_and_owned_passes(tmp_path: Path) -> None:
    csv = _with_apiservices(_apiservice(), _apiservice(which="required", extra=""))
    assert _findings(tmp_path, csv, "APS004") == []


# -- INS001 ------------------------------------------------------------------------------


def test_ins001_other_strategy(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "strategy: deployment", "strategy: helm")
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS001"))
    assert (rule, severity, (line, column)) == ("INS001", Severity.ERROR, _pos(csv, "helm"))
    assert "'helm' is not 'deployment'" in message and "InvalidStrategy" in message


def test_ins001_deployment_strategy_passes(tmp_path: Path) -> None:
    assert _findings(tmp_path, BASE_CSV, "INS") == []


# -- INS002 ------------------------------------------------------------------------------


def test_ins002_name_not_a_subdomain(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "- name: widget-controller", "- name: Widget_Controller")
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS002"))
    assert (rule, severity, (line, column)) == ("INS002", Severity.ERROR, _pos(csv, "Widget_"))
    assert "'Widget_Controller' is not a DNS-1123 subdomain" in message


def test_ins002_repeated_name_with_another_spec(tmp_path: Path) -> None:
    csv = _two_deployments()
    csv = csv.replace("- name: widget-metrics", "- name: widget-controller")
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS002"))
    assert (rule, severity) == ("INS002", Severity.ERROR)
    assert (line, column) == _pos(csv, "widget-controller\n        spec", 1)
    assert (
        "deployments[1] repeats deployment 'widget-controller' with another spec" in message
        and "DeploymentUpdated" in message
    )


def test_ins002_repeated_identical_deployment_is_a_warning(tmp_path: Path) -> None:
    block = BASE_CSV[
        BASE_CSV.index("      - name: widget-controller") : BASE_CSV.index("      permissions:")
    ]
    csv = edit(BASE_CSV, LAST_CONTAINER, LAST_CONTAINER + block)
    rule, severity, line, _, message = _only(_findings(tmp_path, csv, "INS002"))
    assert (rule, severity, line) == (
        "INS002",
        Severity.WARNING,
        _pos(csv, "- name: widget-c", 1)[0],
    )
    assert "with the same spec" in message


# -- INS003 ------------------------------------------------------------------------------


def test_ins003_service_name_not_dns1035(tmp_path: Path) -> None:
    csv = _with_webhooks(_webhook("vwidget.example.com", "widget.controller"))
    csv = edit(csv, "- name: widget-controller", "- name: widget.controller")
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS003"))
    assert (rule, severity) == ("INS003", Severity.ERROR)
    assert (line, column) == _pos(csv, "widget.controller\n        spec")
    assert "Service 'widget.controller-service'" in message and "DNS-1035" in message


def test_ins003_long_deployment_name_exceeds_the_service_name(tmp_path: Path) -> None:
    name = "w" * 56  # a fine Deployment name; with "-service", 64 characters
    csv = _with_webhooks(_webhook("vwidget.example.com", name))
    csv = edit(csv, "- name: widget-controller", f"- name: {name}")
    rule, _, line, _, message = _only(_findings(tmp_path, csv, "INS003"))
    assert (rule, line) == ("INS003", _pos(csv, f"- name: {name}")[0])
    assert "at most 63 characters" in message


def test_ins003_apiservice_port_out_of_range(tmp_path: Path) -> None:
    port = "      deploymentName: widget-controller\n      containerPort: 70000\n"
    csv = _with_apiservices(_apiservice(extra=port))
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS003"))
    assert (rule, severity, (line, column)) == ("INS003", Severity.ERROR, _pos(csv, "70000"))
    assert "apiservicedefinitions.owned[0].containerPort 70000 is above 65535" in message


def test_ins003_leaves_a_webhook_port_out_of_range_to_the_schema(tmp_path: Path) -> None:
    csv = _with_webhooks(_webhook("vwidget.example.com", ports="    containerPort: 70000\n"))
    assert _findings(tmp_path, csv, "INS003") == []
    assert [f[0] for f in _findings(tmp_path, csv, "CSV001")] == ["CSV001"]


def test_ins003_service_selector_without_match_labels(tmp_path: Path) -> None:
    csv = edit(
        _with_webhooks(_webhook("vwidget.example.com")),
        "selector: {matchLabels: {app: w}}",
        "selector: {matchExpressions: [{key: app, operator: In, values: [w]}]}",
    )
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS003"))
    assert (rule, severity) == ("INS003", Severity.ERROR)
    assert (line, column) == _pos(csv, "selector: {matchExpressions")
    assert "no matchLabels" in message and "Service 'widget-controller-service'" in message


def test_ins003_one_port_two_targets(tmp_path: Path) -> None:
    csv = _with_webhooks(
        _webhook("vwidget.example.com", ports="    targetPort: 9443\n"),
        _webhook("vgadget.example.com", ports="    targetPort: 8443\n"),
    )
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS003"))
    assert (rule, severity, (line, column)) == ("INS003", Severity.ERROR, _pos(csv, "8443"))
    assert "webhookdefinitions[1] serves port 443 with target 8443" in message
    assert "webhookdefinitions[0] serves it with target 9443" in message
    assert "two ports named '443'" in message


def test_ins003_apiservice_and_webhook_share_a_port(tmp_path: Path) -> None:
    csv = _with_apiservices(
        _apiservice(extra="      deploymentName: widget-controller\n      containerPort: 8443\n"),
        csv=_with_webhooks(
            _webhook("vwidget.example.com", ports="    containerPort: 8443\n    targetPort: 9443\n")
        ),
    )
    rule, _, line, column, message = _only(_findings(tmp_path, csv, "INS003"))
    assert (rule, (line, column)) == ("INS003", _pos(csv, "9443"))
    assert "apiservicedefinitions.owned[0] serves it with target 8443" in message


def test_ins003_shared_port_and_target_pass(tmp_path: Path) -> None:
    csv = _with_webhooks(
        _webhook("vwidget.example.com", ports="    targetPort: 9443\n"),
        _webhook("vgadget.example.com", ports="    targetPort: 9443\n"),
    )
    assert _findings(tmp_path, csv, "INS003") == []


# -- INS005 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "reason"),
    [
        ("{matchLabels: {app: v}}", "does not match its pod template labels (app=w)"),
        ("{matchExpressions: [{key: app, operator: NotIn, values: [w]}]}", "does not match"),
        ("{matchExpressions: [{key: tier, operator: Exists}]}", "does not match"),
        ("{}", "has an empty selector"),
    ],
)
def test_ins005_selector_refused(tmp_path: Path, selector: str, reason: str) -> None:
    csv = edit(BASE_CSV, "selector: {matchLabels: {app: w}}", f"selector: {selector}")
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS005"))
    assert (rule, severity) == ("INS005", Severity.ERROR)
    assert (line, column) == _pos(csv, "selector: ")
    assert reason in message and "the API server refuses the Deployment" in message


@pytest.mark.parametrize(
    "selector",
    [
        "{matchExpressions: [{key: app, operator: In, values: [v, w]}]}",
        "{matchExpressions: [{key: tier, operator: DoesNotExist}]}",
        "{matchLabels: {app: w}, matchExpressions: [{key: app, operator: Exists}]}",
    ],
)
def test_ins005_matching_selector_passes(tmp_path: Path, selector: str) -> None:
    csv = edit(BASE_CSV, "selector: {matchLabels: {app: w}}", f"selector: {selector}")
    assert _findings(tmp_path, csv, "INS005") == []


# -- INS004 ------------------------------------------------------------------------------


def test_ins004_required_crd_name_without_group(tmp_path: Path) -> None:
    csv = edit(
        BASE_CSV,
        INSTALL,
        "    required:\n    - name: gadgets\n      version: v1\n      kind: Gadget\n" + INSTALL,
    )
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS004"))
    assert (rule, severity, (line, column)) == ("INS004", Severity.ERROR, _pos(csv, "gadgets"))
    assert "required CRD name 'gadgets' is not '<plural>.<group>'" in message


# -- CSV010 (served) ---------------------------------------------------------------------


def test_csv010_unserved_owned_version(tmp_path: Path) -> None:
    crd = edit(CRD, "served: true", "served: false")
    csv = BASE_CSV
    found = _findings(tmp_path, csv, "CSV010", files={"manifests/example.com_widgets.yaml": crd})
    rule, severity, line, column, message = _only(found)
    assert (rule, severity, (line, column)) == (
        "CSV010",
        Severity.ERROR,
        _pos(csv, "  version: v1alpha1", skip=11),
    )
    assert "has served: false" in message and "CRD version not served" in message


# -- INS006 ------------------------------------------------------------------------------


def test_ins006_account_nobody_creates(tmp_path: Path) -> None:
    csv = edit(
        BASE_CSV,
        POD_ACCOUNT,
        POD_ACCOUNT.replace("widget-controller", "widget-runner"),
    )
    rule, severity, line, column, message = _only(_findings(tmp_path, csv, "INS006"))
    assert (rule, severity) == ("INS006", Severity.WARNING)
    assert (line, column) == _pos(csv, "widget-runner")
    assert (
        "runs as ServiceAccount 'widget-runner'" in message and "OLM does not create it" in message
    )


@pytest.mark.parametrize(
    ("account", "files"),
    [
        ("default", {}),
        (
            "widget-runner",
            {"manifests/sa.yaml": SERVICE_ACCOUNT},
        ),
    ],
)
def test_ins006_default_or_bundled_account_passes(
    tmp_path: Path, account: str, files: dict
) -> None:
    csv = edit(
        BASE_CSV,
        POD_ACCOUNT,
        POD_ACCOUNT.replace("widget-controller", account),
    )
    assert _findings(tmp_path, csv, "INS006", files=files) == []


# -- wrong types -------------------------------------------------------------------------


def test_sequences_where_names_belong_do_not_crash(tmp_path: Path) -> None:
    """A sequence as a deploymentName or selector key once made APS003 and WHK004 fail
    with 'unhashable type'; such an entry names no deployment."""
    csv = _with_apiservices(
        _apiservice(extra="      deploymentName: [widget-metrics]\n"),
        _apiservice(kind="WidgetStats").replace("    owned:\n", ""),
        csv=_with_webhooks(_webhook("vwidget.example.com", "[widget-controller]")),
    )
    csv = edit(
        csv,
        "selector: {matchLabels: {app: w}}",
        "selector: {matchLabels: {app: w}, matchExpressions: [{key: [app], operator: Exists}]}",
    )
    found = [(rule, severity) for rule, severity, *_ in _findings(tmp_path, csv, "APS")]
    assert found == [("APS001", Severity.ERROR), ("APS003", Severity.ERROR)]
    assert [f[0] for f in _findings(tmp_path, csv, "WHK004")] == ["WHK004"]
    assert _findings(tmp_path, csv, "INS005") == []


# -- INS007 ------------------------------------------------------------------------------


def test_ins007_permission_account_not_a_subdomain(tmp_path: Path) -> None:
    csv = edit(BASE_CSV, "- serviceAccountName: widget-controller", "- serviceAccountName: ''")
    csv = edit(csv, POD_ACCOUNT, POD_ACCOUNT.replace("widget-controller", "Widget_Runner"))
    found = _findings(tmp_path, csv, "INS007")
    assert [(r, s, (line, col)) for r, s, line, col, _ in found] == [
        ("INS007", Severity.ERROR, _pos(csv, "Widget_Runner")),
        ("INS007", Severity.ERROR, _pos(csv, "''")),
    ]
    assert "runs as ServiceAccount 'Widget_Runner', which is not a DNS-1123" in found[0][4]
    assert "permissions[0].serviceAccountName '' is not a DNS-1123 subdomain" in found[1][4]


def test_ins007_valid_accounts_pass(tmp_path: Path) -> None:
    assert _findings(tmp_path, BASE_CSV, "INS007") == []


# -- real bundles ------------------------------------------------------------------------

#: The install-path families, and CSV010's served check.
INSTALL_RULES = ("APS", "INS", "WHK", "CSV010")


def test_install_rules_are_silent_on_published_bundles() -> None:
    """Every corpus bundle is published and installs: none of these rules, which each
    claim OLM refuses or never finishes the install, may fire on one (46 bundles, 9 with
    webhooks, enmasse 0.30.2 with four owned APIServices on two deployments)."""
    bundles = sorted(p.parent for p in shared_path("corpus", "bundles").glob("*/*/manifests"))
    assert len(bundles) >= 40
    assert validate_bundles(bundles, select=INSTALL_RULES).findings == []


def test_aps003_on_enmasse_with_one_group_on_two_deployments(tmp_path: Path) -> None:
    """enmasse 0.30.2 serves enmasse.io from api-server and user.enmasse.io from
    user-api-server; moved into one group, the three earlier kinds lose their deployment."""
    bundle = copy_writable(shared_path("corpus", "bundles", "enmasse", "0.30.2"), tmp_path / "b")
    csv = bundle / "manifests" / "enmasse.0.30.2.clusterserviceversion.yaml"
    csv.write_text(
        csv.read_text(encoding="utf-8").replace("group: user.enmasse.io", "group: enmasse.io"),
        encoding="utf-8",
    )
    report = validate_bundles([bundle], select=INSTALL_RULES)
    assert [(f.rule, f.severity, f.location.line, f.location.column) for f in report.findings] == [
        ("APS003", Severity.ERROR, 877, 23),
        ("APS003", Severity.ERROR, 902, 23),
        ("APS003", Severity.ERROR, 932, 23),
    ]
    assert "OLM serves v1beta1.enmasse.io from 'user-api-server'" in report.findings[0].message

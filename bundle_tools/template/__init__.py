"""Catalog templates, rendered as ``opm alpha render-template`` does: ``olm.semver``
(:mod:`.semver`: channels and edges from bundle versions) and ``olm.template.basic``
(FBC blobs whose bundles name only an image). :mod:`.engine` reads and checks a template
and renders it with an injected bundle renderer (image reference -> ``olm.bundle``
blob), so the channel computation is testable without a registry."""

"""Container images without a container daemon: reproducible layers
(:mod:`~bundle_tools.images.layer`), OCI manifests, indexes, layouts and archives
(:mod:`~bundle_tools.images.oci`), what bundle and catalog images hold
(:mod:`~bundle_tools.images.build`), and a registry client
(:mod:`~bundle_tools.images.registry`, credentials in :mod:`~bundle_tools.images.auth`)."""

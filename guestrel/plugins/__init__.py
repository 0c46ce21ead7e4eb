"""The plugin host: hook specifications (hookspecs), everything a plugin may import (plugin_api)
and the manager that finds plugins through the `guestrel.plugins` entry-point group (manager).

This package imports none of them itself: plugin_api depends on no other core module, and a
plugin that imports it must not get the manager's core dependencies through the package."""

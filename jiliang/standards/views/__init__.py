"""The standards app's pages, one module per area (standards, traceability, coverage, declarations).

The navigation labels stay here, where jiliang.core.context_processors imports them, until the apps declare their
own navigation entries. They are declared in this app so that their messages sit in its own catalog
(jiliang/standards/locale) rather than the shared one.
"""

from django.utils.translation import gettext_lazy

NAV_STANDARDS = gettext_lazy("计量标准")
NAV_PEOPLE = gettext_lazy("人员资质")
NAV_COVERAGE = gettext_lazy("建标覆盖率")
NAV_DECLARATIONS = gettext_lazy("能力声明")

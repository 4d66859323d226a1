from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiliang.demo"
    verbose_name = "演示城市"

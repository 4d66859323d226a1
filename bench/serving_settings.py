"""Settings of the server that bench_serving.py starts: the project's settings, and a URLconf of the project's URLs
plus the bare view (bench/serving_urls.py). Never used outside the benchmark."""

from jiliang.settings import *  # noqa: F403

ROOT_URLCONF = "serving_urls"

from django.core.management.base import BaseCommand

from jiliang.instruments import tally


class Command(BaseCommand):
    help = "Recount the due tally (the dashboard's counts by region and due date) from the instrument registry."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")

    def handle(self, *args, check=False, **options):
        if check:
            diffs = tally.differences()
            for key, (stored, recounted) in sorted(diffs.items()):
                self.stdout.write(
                    f"region {key[0]} due {key[1]} verified {key[2]}: stored {stored}, recount {recounted}"
                )
            if diffs:
                raise SystemExit(1)
            self.stdout.write("OK")
            return
        keys = tally.rebuild()
        self.stdout.write(f"rebuilt {keys} keys")

import json

from django.core.management.base import BaseCommand, CommandError

from ansinh.demo.services import DemoDataError, demo_load


class Command(BaseCommand):
    help = "Tạo tài khoản và dữ liệu minh họa (chạy lại không thay đổi gì)."

    def handle(self, *args, **options):
        try:
            summary = demo_load()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary, ensure_ascii=False))

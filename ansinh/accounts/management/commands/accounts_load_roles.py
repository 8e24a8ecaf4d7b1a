"""Load the default roles from ansinh/accounts/data/roles.json (wraps services.roles_load)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ansinh.accounts.services import roles_load


class Command(BaseCommand):
    help = "Tạo các vai trò mặc định còn thiếu; --reset ghi đè cả quyền đã sửa của các vai trò có sẵn."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Ghi đè tên và quyền của các vai trò đã có bằng dữ liệu trong tệp (mất chỉnh sửa của quản trị viên).",
        )

    def handle(self, *args, reset: bool = False, **options):
        try:
            result = roles_load(actor=None, reset=reset)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Roles: {result['created']} created, {result['updated']} updated."))

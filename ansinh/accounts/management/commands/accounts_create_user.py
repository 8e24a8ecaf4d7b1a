"""Create an account with one role assignment, for operators (wraps user_create and role_assignment_create).

The password is read from an environment variable so that it never appears in the shell history
or the process list.
"""

import os
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ansinh.accounts.models import Role
from ansinh.accounts.services import role_assignment_create, user_create
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Structure
from ansinh.geo.models import AdminUnit


class Command(BaseCommand):
    help = "Tạo tài khoản kèm một vai trò. Mật khẩu lấy từ biến môi trường (--password-env)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="Mã vai trò, ví dụ commune_officer")
        parser.add_argument("--unit-structure", choices=Structure.values, default=Structure.Y2025)
        parser.add_argument(
            "--unit-code", default="", help="Mã tỉnh/huyện/xã; thôn: mã xã/mã thôn; bỏ trống = toàn quốc"
        )
        parser.add_argument("--password-env", required=True, help="Tên biến môi trường chứa mật khẩu")
        # A legacy unit ended on 30/6/2025: its assignment must start (and end) while it existed.
        parser.add_argument("--valid-from", type=date.fromisoformat, default=None,
                            help="Ngày bắt đầu phân công (YYYY-MM-DD); mặc định hôm nay")  # fmt: skip
        parser.add_argument("--valid-to", type=date.fromisoformat, default=None,
                            help="Ngày kết thúc phân công (YYYY-MM-DD); mặc định không thời hạn")  # fmt: skip
        parser.add_argument("--full-name", default="")
        parser.add_argument("--staff", action="store_true", help="Cho vào trang quản trị Django")

    def handle(self, *args, **options):
        password = os.environ.get(options["password_env"], "")
        if not password:
            raise CommandError(f"Environment variable {options['password_env']} is empty or not set.")
        role = Role.objects.filter(code=options["role"]).first()
        if role is None:
            raise CommandError(f"Unknown role {options['role']!r}; run accounts_load_roles first.")
        unit = self._unit(options["unit_structure"], options["unit_code"])
        try:
            # One transaction: an account is never left behind without the role it was made for.
            with transaction.atomic():
                user = user_create(
                    actor=None, username=options["username"], password=password,
                    full_name=options["full_name"], is_staff=options["staff"],
                )  # fmt: skip
                role_assignment_create(
                    actor=None, user=user, role=role, unit=unit,
                    valid_from=options["valid_from"], valid_to=options["valid_to"],
                )  # fmt: skip
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except (ApplicationError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        where = unit.path if unit else "national"
        self.stdout.write(self.style.SUCCESS(f"User {user.username} created with role {role.code} on {where}."))

    @staticmethod
    def _unit(structure: str, code: str) -> AdminUnit | None:
        code = code.strip().strip("/")
        if not code:
            return None
        units = AdminUnit.objects.filter(structure=structure)
        if "/" in code:
            commune_code, village_code = code.split("/", 1)
            units = units.filter(level="village", code=village_code, parent__code=commune_code)
        else:
            units = units.filter(code=code).exclude(level="village")
        unit = units.first()
        if unit is None:
            raise CommandError(f"No unit {code!r} in structure {structure}.")
        return unit

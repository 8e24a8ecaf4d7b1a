"""Authentication (username + password) and permissions from role assignments, per area."""

from django.contrib.auth.backends import ModelBackend

from ansinh.core.scoping import scope_paths_of


class RoleBackend(ModelBackend):
    """Permissions come only from active role assignments, never from Django groups.

    ``user.has_perm(perm)`` is true when some active assignment grants `perm`;
    ``user.has_perm(perm, obj)`` also needs that assignment's unit to contain `obj` (a unit or
    any scoped row with ``get_scope_paths()``).
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        perms: set[str] = set()
        for assignment in user_obj.active_assignments():
            perms |= user_obj.role_perms(assignment)
        return perms

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if obj is None:
            return perm in self.get_all_permissions(user_obj)
        paths = scope_paths_of(obj)
        return user_obj.area_scope(perm).covers(*paths)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))

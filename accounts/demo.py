"""Demo step: one account per official role, of Hebei and of another area, and an administrator."""

from functools import cache

from django.contrib.auth.hashers import make_password

from portal.demo import DEMO_PASSWORD

from .models import User

OFFICIALS = [
    ("hebei", "13", "河北省卫生健康委 (province official)"),
    ("shijiazhuang", "1301", "石家庄市卫生健康委 (city official)"),
    ("changan", "130102", "长安区卫生健康局 (county official, reviews filings)"),
    ("changan-town", "130102001", "长安区 township official"),
    ("xingtai", "1305", "邢台市卫生健康委 (city official of another city)"),
    ("qiaoxi", "130104", "桥西区卫生健康局 (county official of another county)"),
]


@cache
def demo_password_hash() -> str:
    """The demo password hashed once: every demo account shares it, and each PBKDF2 hash takes about a
    second on a busy machine (ten of them were a third of `make run`'s seeding time)."""
    return make_password(DEMO_PASSWORD)


def ensure_user(username: str, *, role: str, description: str, ctx, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"role": role, **fields})
    if created:
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    ctx.accounts.append((username, description))
    return user


def seed(ctx) -> None:
    ensure_user("admin", role=User.Role.SYSTEM_ADMIN, description="system administrator", ctx=ctx,
                is_staff=True, is_superuser=True)
    for username, region_code, description in OFFICIALS:
        ensure_user(username, role=User.Role.OFFICIAL, description=description, ctx=ctx, region_id=region_code)

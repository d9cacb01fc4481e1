"""The three departments. Kept free of the ORM: the permission table and the first menu
need them before SQLAlchemy is loaded."""

from enum import StrEnum


class DepartmentName(StrEnum):
    GESTION = "gestion"
    COMMERCE = "commerce"
    SUPPORT = "support"

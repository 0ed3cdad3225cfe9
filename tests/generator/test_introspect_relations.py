"""Relationships as introspect reads them from the `relations` and other fixtures."""

from __future__ import annotations

import pytest
from model_fixtures import relationship, schema_of

from fe_gen.generator.ir import OrderBy, Relationship, Secondary

RELATIONSHIPS = [
    pytest.param(
        "relations",
        "Employee",
        "manager",
        Relationship(
            key="manager",
            target="Employee",
            direction="many_to_one",
            local_columns=("manager_id",),
            remote_columns=("id",),
            uselist=False,
            back_populates="reports",
        ),
        id="self-reference-to-one",
    ),
    pytest.param(
        "relations",
        "Employee",
        "reports",
        Relationship(
            key="reports",
            target="Employee",
            direction="one_to_many",
            local_columns=("id",),
            remote_columns=("manager_id",),
            uselist=True,
            back_populates="manager",
            order_by=(OrderBy("name", descending=True),),
        ),
        id="self-reference-to-many-ordered-desc",
    ),
    pytest.param(
        "relations",
        "Student",
        "courses",
        Relationship(
            key="courses",
            target="Course",
            direction="many_to_many",
            local_columns=("id",),
            remote_columns=("code",),
            uselist=True,
            secondary=Secondary("student_courses", ("student_ref",), ("course_ref",)),
            back_populates="students",
            order_by=(OrderBy("title"),),
        ),
        id="many-to-many",
    ),
    pytest.param(
        "relations",
        "Course",
        "students",
        Relationship(
            key="students",
            target="Student",
            direction="many_to_many",
            local_columns=("code",),
            remote_columns=("id",),
            uselist=True,
            secondary=Secondary("student_courses", ("course_ref",), ("student_ref",)),
            back_populates="courses",
        ),
        id="many-to-many-other-side",
    ),
    pytest.param(
        "relations",
        "Project",
        "members",
        Relationship(
            key="members",
            target="Employee",
            direction="many_to_many",
            local_columns=("id",),
            remote_columns=("id",),
            uselist=True,
            secondary=Secondary("project_members", ("project_id",), ("employee_id",), ("role",)),
        ),
        id="many-to-many-link-table-with-a-required-column",
    ),
    pytest.param(
        "relations",
        "Enrollment",
        "student",
        Relationship(
            key="student",
            target="Student",
            direction="many_to_one",
            local_columns=("student_id",),
            remote_columns=("id",),
            uselist=False,
            back_populates="enrollments",
        ),
        id="association-object-to-parent",
    ),
    pytest.param(
        "relations",
        "Enrollment",
        "course",
        Relationship(
            key="course",
            target="Course",
            direction="many_to_one",
            local_columns=("course_code",),
            remote_columns=("code",),
            uselist=False,
            back_populates="enrollments",
        ),
        id="backref-string",
    ),
    pytest.param(
        "relations",
        "Course",
        "enrollments",
        Relationship(
            key="enrollments",
            target="Enrollment",
            direction="one_to_many",
            local_columns=("code",),
            remote_columns=("course_code",),
            uselist=True,
            back_populates="course",
        ),
        id="created-by-backref",
    ),
    pytest.param(
        "relations",
        "Course",
        "active_enrollments",
        Relationship(
            key="active_enrollments",
            target="Enrollment",
            direction="one_to_many",
            local_columns=("code",),
            remote_columns=("course_code",),
            uselist=True,
            viewonly=True,
            includable=False,
        ),
        id="custom-primaryjoin-not-includable",
    ),
    pytest.param(
        "imperative",
        "Author",
        "posts",
        Relationship(
            key="posts",
            target="Post",
            direction="one_to_many",
            local_columns=("id",),
            remote_columns=("author_id",),
            uselist=True,
        ),
        id="imperative-mapping",
    ),
    pytest.param(
        "readonly",
        "Pet",
        "owner",
        Relationship(
            key="owner",
            target="Person",
            direction="many_to_one",
            local_columns=("owner_id",),
            remote_columns=("id",),
            uselist=False,
            back_populates="pets",
        ),
        id="plain-many-to-one",
    ),
]


@pytest.mark.parametrize(("fixture", "model_name", "key", "expected"), RELATIONSHIPS)
def test_relationship(fixture: str, model_name: str, key: str, expected: Relationship) -> None:
    assert relationship(fixture, model_name, key) == expected


def test_relationships_in_declaration_order() -> None:
    keys = [r.key for r in schema_of("relations").model("Course").relationships]
    assert keys == ["students", "active_enrollments", "enrollments"]


def test_association_object_has_a_composite_primary_key() -> None:
    assert schema_of("relations").model("Enrollment").primary_key == ("student_id", "course_code")


def test_not_includable_relationship_is_a_warning() -> None:
    assert [str(d) for d in schema_of("relations").diagnostics] == [
        "Course.active_enrollments: join is not plain column equality; it cannot be included"
    ]

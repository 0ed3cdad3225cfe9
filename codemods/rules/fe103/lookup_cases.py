"""FE103's cases for lookups run once per row (`rules/fe103/lookups.py`): `session.get`
and queries by a key of the row, in loops and comprehensions, sync and async. Those with
a fix show its exact output; the others are reported, and why there is no fix is in the
finding. Kept apart from `cases.py` so that each stays a readable page."""

from __future__ import annotations

from fe_gen.codemods.rules.base import Invalid, Valid
from fe_gen.codemods.rules.fe103.cases import _invalid, _valid

_CASES: list[Valid | Invalid] = [
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        books = session.scalars(select(Book).where(Book.author_id == author.id)).all()\n"
        "        print(author.name, len(books))\n",
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book in session.scalars(\n"
        "        select(Book).where(Book.author_id.in_({author.id for author in authors}))\n"
        "    ):\n"
        "        books_by_author_id.setdefault(book.author_id, []).append(book)\n"
        "    for author in authors:\n"
        "        books = books_by_author_id.get(author.id, [])\n"
        "        print(author.name, len(books))\n",
        "a-list-per-row-becomes-a-dict-of-lists",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        author = session.execute(select(Author).where(Author.id =="
        " book.author_id)).scalar_one_or_none()\n"
        "        print(book.title, author)\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        author = author_by_id.get(book.author_id)\n"
        "        print(book.title, author)\n",
        "execute-scalar-one-or-none-on-the-primary-key",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.query(Author).all()\n"
        "    for author in authors:\n"
        "        latest ="
        " session.query(Book).filter_by(author_id=author.id).order_by(Book.id.desc()).first()\n"
        "        print(author.name, latest)\n",
        "def f(session):\n"
        "    authors = session.query(Author).all()\n"
        "    book_by_author_id: dict[int, Book] = {}\n"
        "    for book in (\n"
        "        session.query(Book)\n"
        "        .filter(Book.author_id.in_({author.id for author in authors}))\n"
        "        .order_by(Book.id.desc())\n"
        "    ):\n"
        "        book_by_author_id.setdefault(book.author_id, book)\n"
        "    for author in authors:\n"
        "        latest = book_by_author_id.get(author.id)\n"
        "        print(author.name, latest)\n",
        "legacy-filter-by-first-keeps-the-order-by",
        unsafe=True,
    ),
    _invalid(
        "def f(session, name):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        author = session.scalars(select(Author).where(Author.id == book.author_id,"
        " Author.name != name)).first()\n"
        "        print(book.title, author)\n",
        "def f(session, name):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(\n"
        "                Author.id.in_({book.author_id for book in books}), Author.name != name\n"
        "            )\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        author = author_by_id.get(book.author_id)\n"
        "        print(book.title, author)\n",
        "other-conditions-stay-in-the-batch",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    return {book.id: session.get(Author, book.author_id) for book in books}\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "        )\n"
        "    }\n"
        "    return {book.id: author_by_id.get(book.author_id) for book in books}\n",
        "get-in-a-dict-comprehension",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    return [session.scalars(select(Author).where(book.author_id == Author.id)).first()"
        " for book in books]\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "        )\n"
        "    }\n"
        "    return [author_by_id.get(book.author_id) for book in books]\n",
        "query-first-in-a-list-comprehension-key-on-the-left",
        unsafe=True,
    ),
    _invalid(
        "async def f(session):\n"
        "    books = (await session.scalars(select(Book))).all()\n"
        "    for book in books:\n"
        "        author = (await session.execute(select(Author).where(Author.id =="
        " book.author_id))).scalar_one_or_none()\n"
        "        print(book.title, author)\n",
        "async def f(session):\n"
        "    books = (await session.scalars(select(Book))).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in (\n"
        "            await session.scalars(\n"
        "                select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "            )\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        author = author_by_id.get(book.author_id)\n"
        "        print(book.title, author)\n",
        "async-execute-per-row",
        unsafe=True,
    ),
    _invalid(
        "async def f(session):\n"
        "    authors = (await session.scalars(select(Author))).all()\n"
        "    return [(await session.scalars(select(Book).where(Book.author_id == a.id))).all()"
        " for a in authors]\n",
        "async def f(session):\n"
        "    authors = (await session.scalars(select(Author))).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book in await session.scalars(\n"
        "        select(Book).where(Book.author_id.in_({a.id for a in authors}))\n"
        "    ):\n"
        "        books_by_author_id.setdefault(book.author_id, []).append(book)\n"
        "    return [books_by_author_id.get(a.id, []) for a in authors]\n",
        "async-scalars-all-in-a-comprehension",
        unsafe=True,
    ),
    _invalid(
        "def f():\n"
        "    books = Book.query.all()\n"
        "    for book in books:\n"
        "        print(Author.query.filter_by(id=book.author_id).first())\n",
        "def f():\n"
        "    books = Book.query.all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in Author.query.filter(Author.id.in_({book.author_id for book in"
        " books}))\n"
        "    }\n"
        "    for book in books:\n"
        "        print(author_by_id.get(book.author_id))\n",
        "flask-model-query-filter-by",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        print(session.get(Author, book.editor_id))\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(\n"
        "                Author.id.in_({book.editor_id for book in books if book.editor_id is"
        " not None})\n"
        "            )\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        print(author_by_id.get(book.editor_id))\n",
        "a-nullable-key-leaves-none-out",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        '    return ", ".join(session.scalars(select(Author).where(Author.id =='
        " b.author_id)).one_or_none().name for b in books)\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({b.author_id for b in books}))\n"
        "        )\n"
        "    }\n"
        '    return ", ".join(author_by_id.get(b.author_id).name for b in books)\n',
        "a-generator-consumed-by-join",
        unsafe=True,
    ),
    _invalid(
        "async def f(session):\n"
        "    books = (await session.scalars(select(Book))).all()\n"
        "    return [await session.scalar(select(Author).where(Author.id == b.author_id)) for b"
        " in books]\n",
        "async def f(session):\n"
        "    books = (await session.scalars(select(Book))).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in (\n"
        "            await session.scalars(select(Author).where(Author.id.in_({b.author_id for b"
        " in books})))\n"
        "        )\n"
        "    }\n"
        "    return [author_by_id.get(b.author_id) for b in books]\n",
        "async-session-scalar",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        print(session.scalars(select(Book).where(Book.author_id == author.id)).first())\n",
        None,
        "first-on-a-non-unique-column-without-order-by",
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        print(session.scalars(select(Book).where(Book.author_id =="
        " author.id)).one_or_none())\n",
        None,
        "one-or-none-on-a-non-unique-column",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        print(session.execute(select(Author).where(Author.id =="
        " book.author_id)).scalar_one())\n",
        None,
        "scalar-one-raises-when-missing",
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        print(session.scalars(select(Book).where(Book.author_id =="
        " author.id).limit(3)).all())\n",
        None,
        "a-limit-per-row",
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        '        session.add(Book(title="new", author_id=author.id))\n'
        "        print(session.scalars(select(Book).where(Book.author_id == author.id)).all())\n",
        None,
        "a-loop-that-writes",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        print(session.scalars(select(Book).where(Book.editor_id =="
        " book.editor_id)).all())\n",
        None,
        "both-sides-nullable-none-matches-null",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        title = book.title.upper()\n"
        "        print(session.scalars(select(Book).where(Book.author_id == book.author_id,"
        " Book.title != title)).all())\n",
        None,
        "a-condition-on-a-name-the-loop-binds",
    ),
    _valid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    return [lambda: session.get(Author, b.author_id) for b in books]\n",
        "get-in-a-lambda-runs-later",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    later = (session.get(Author, b.author_id) for b in books)\n"
        "    return later\n",
        None,
        "a-generator-kept-for-later",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    return [session.scalars(select(Author).where(Author.name == b.id)).all() for b in"
        " books]\n",
        None,
        "key-of-another-type",
    ),
    _valid(
        "def f(session, author_id):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        print(author.name, session.scalars(select(Book).where(Book.author_id =="
        " author_id)).all())\n",
        "a-per-row-query-whose-key-is-not-the-rows",
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        print(session.scalars(select(Book).where(Book.author_id == author.id, Book.id"
        " == author.country_id)).all())\n",
        None,
        "two-conditions-on-the-row",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        book.author_id = 3\n"
        "        print(session.get(Author, book.author_id))\n",
        None,
        "the-loop-assigns-the-key",
    ),
    _invalid(
        "def f(session):\n"
        "    for book in session.scalars(select(Book)):\n"
        "        print(session.get(Author, book.author_id).name)\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        print(author_by_id.get(book.author_id).name)\n",
        "get-per-row-over-a-query-lists-the-rows-first",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    for author in session.scalars(select(Author)):\n"
        "        print(session.scalars(select(Book).where(Book.author_id == author.id)).all())\n",
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book in session.scalars(\n"
        "        select(Book).where(Book.author_id.in_({author.id for author in authors}))\n"
        "    ):\n"
        "        books_by_author_id.setdefault(book.author_id, []).append(book)\n"
        "    for author in authors:\n"
        "        print(books_by_author_id.get(author.id, []))\n",
        "a-list-per-row-over-a-query",
        unsafe=True,
    ),
    _invalid(
        "async def f(session):\n"
        "    return [\n"
        "        (await session.scalars(select(Book).where(Book.author_id == a.id))).all()\n"
        "        for a in await session.scalars(select(Author))\n"
        "    ]\n",
        "async def f(session):\n"
        "    authors = (await session.scalars(select(Author))).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book in await session.scalars(\n"
        "        select(Book).where(Book.author_id.in_({a.id for a in authors}))\n"
        "    ):\n"
        "        books_by_author_id.setdefault(book.author_id, []).append(book)\n"
        "    return [books_by_author_id.get(a.id, []) for a in authors]\n",
        "async-comprehension-over-awaited-rows",
        unsafe=True,
    ),
    _invalid(
        "def f():\n"
        "    return {b.id: Author.query.filter_by(id=b.author_id).one_or_none() for b in"
        " Book.query}\n",
        "def f():\n"
        "    books = Book.query.all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in Author.query.filter(Author.id.in_({b.author_id for b in books}))\n"
        "    }\n"
        "    return {b.id: author_by_id.get(b.author_id) for b in books}\n",
        "flask-model-query-iterated-in-a-dict-comprehension",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    for book in session.scalars(select(Book).execution_options(yield_per=10)):\n"
        "        print(session.get(Author, book.author_id).name)\n",
        None,
        "rows-streamed-with-yield-per",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book))\n"
        "    for book in books:\n"
        "        print(session.get(Author, book.author_id))\n",
        None,
        "a-result-in-a-variable-is-iterated-once",
    ),
    _invalid(
        "def f(session, author_by_id):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        print(session.get(Author, book.author_id), author_by_id)\n",
        None,
        "the-dicts-name-is-taken",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        for n in range(2):\n"
        "            print(session.get(Author, book.author_id), n)\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        for n in range(2):\n"
        "            print(author_by_id.get(book.author_id), n)\n",
        "a-lookup-in-a-nested-loop-of-the-body",
        unsafe=True,
    ),
    _invalid(
        "def f(session, authors):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        for a in authors:\n"
        "            print(\n"
        "                session.scalars(\n"
        "                    select(Book).where(Book.author_id == book.author_id, Book.id =="
        " a.id)\n"
        "                ).all()\n"
        "            )\n",
        None,
        "a-condition-on-the-inner-loops-row",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        if book.title:\n"
        "            print(session.get(Author, book.author_id))\n"
        "        else:\n"
        "            print(session.scalars(select(Author).where(Author.id =="
        " book.author_id)).one_or_none())\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({book.author_id for book in books}))\n"
        "        )\n"
        "    }\n"
        "    for book in books:\n"
        "        if book.title:\n"
        "            print(author_by_id.get(book.author_id))\n"
        "        else:\n"
        "            print(author_by_id.get(book.author_id))\n",
        "a-get-and-a-query-by-the-primary-key-share-one-dict",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    x = [session.get(Author, b.author_id) for b in books]; print(x)\n",
        None,
        "two-statements-on-one-line",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    if any(session.get(Author, b.author_id) is None for b in books):\n"
        "        return 1\n",
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    author_by_id = {\n"
        "        author.id: author\n"
        "        for author in session.scalars(\n"
        "            select(Author).where(Author.id.in_({b.author_id for b in books}))\n"
        "        )\n"
        "    }\n"
        "    if any(author_by_id.get(b.author_id) is None for b in books):\n"
        "        return 1\n",
        "a-generator-in-an-if-test",
        unsafe=True,
    ),
    _invalid(
        "def f(session, flag):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    if flag:\n"
        "        return 0\n"
        "    elif any(session.get(Author, b.author_id) is None for b in books):\n"
        "        return 1\n",
        None,
        "a-generator-in-an-elif-test",
    ),
    _invalid(
        "class Service:\n"
        "    def f(self):\n"
        "        books = self.session.scalars(select(Book)).all()\n"
        "        return [self.session.get(Author, b.author_id) for b in books]\n",
        "class Service:\n"
        "    def f(self):\n"
        "        books = self.session.scalars(select(Book)).all()\n"
        "        author_by_id = {\n"
        "            author.id: author\n"
        "            for author in self.session.scalars(\n"
        "                select(Author).where(Author.id.in_({b.author_id for b in books}))\n"
        "            )\n"
        "        }\n"
        "        return [author_by_id.get(b.author_id) for b in books]\n",
        "a-method-with-the-session-on-self",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        for book in session.scalars(select(Book).where(Book.author_id =="
        " author.id).order_by(Book.id)):\n"
        "            print(author.name, book.title)\n",
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book_row in session.scalars(\n"
        "        select(Book).where(Book.author_id.in_({author.id for author in"
        " authors})).order_by(Book.id)\n"
        "    ):\n"
        "        books_by_author_id.setdefault(book_row.author_id, []).append(book_row)\n"
        "    for author in authors:\n"
        "        for book in books_by_author_id.get(author.id, []):\n"
        "            print(author.name, book.title)\n",
        "rows-of-a-query-iterated-per-row",
        unsafe=True,
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.query(Author).all()\n"
        "    return {a.id: [b.title for b in session.query(Book).filter(Book.author_id == a.id)]"
        " for a in authors}\n",
        "def f(session):\n"
        "    authors = session.query(Author).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book in session.query(Book).filter(Book.author_id.in_({a.id for a in authors})):\n"
        "        books_by_author_id.setdefault(book.author_id, []).append(book)\n"
        "    return {a.id: [b.title for b in books_by_author_id.get(a.id, [])] for a in authors}\n",
        "legacy-query-iterated-in-a-nested-comprehension",
        unsafe=True,
    ),
    _invalid(
        "def f(session, limits):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        limits.title = book.title\n"
        "        print(session.scalars(select(Author).where(Author.id == book.author_id,"
        " Author.name != limits.title)).first())\n",
        None,
        "the-query-reads-an-attribute-the-loop-assigns",
    ),
    _invalid(
        "def f(session):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        print(session.get(Author, book.author_id))\n"
        "        if len(books) < 10:\n"
        '            books.append(Book(title="more", author_id=book.author_id + 1))\n',
        None,
        "the-loop-adds-to-its-own-rows",
    ),
    _invalid(
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    for author in authors:\n"
        "        stmt = select(Book).where(Book.author_id == author.id).order_by(Book.title)\n"
        "        books = session.scalars(stmt).all()\n"
        "        print(author.name, [b.title for b in books])\n",
        "def f(session):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    books_by_author_id: dict[int, list[Book]] = {}\n"
        "    for book in session.scalars(\n"
        "        select(Book)\n"
        "        .where(Book.author_id.in_({author.id for author in authors}))\n"
        "        .order_by(Book.title)\n"
        "    ):\n"
        "        books_by_author_id.setdefault(book.author_id, []).append(book)\n"
        "    for author in authors:\n"
        "        books = books_by_author_id.get(author.id, [])\n"
        "        print(author.name, [b.title for b in books])\n",
        "a-statement-built-in-the-loop-just-before",
        unsafe=True,
    ),
    _valid(
        "def f(session, author_id):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    stmt = select(Book).where(Book.author_id == author_id)\n"
        "    for author in authors:\n"
        "        print(author.name, session.scalars(stmt).all())\n",
        "a-statement-built-before-the-loop",
    ),
    _valid(
        "def f(session, a):\n"
        "    authors = session.scalars(select(Author)).all()\n"
        "    stmt = select(Book).where(Book.author_id == a.id)\n"
        "    return [session.scalars(stmt).all() for a in authors]\n",
        "a-statement-built-before-a-comprehension-reads-another-a",
    ),
    _invalid(
        "def f(session, limits):\n"
        "    books = session.scalars(select(Book)).all()\n"
        "    for book in books:\n"
        "        limits.title = book.title\n"
        "        stmt = select(Author).where(Author.id == book.author_id, Author.name !="
        " limits.title)\n"
        "        print(session.scalars(stmt).first())\n",
        None,
        "a-held-statement-reads-an-attribute-the-loop-assigns",
    ),
]
VALID = [case for case in _CASES if isinstance(case, Valid)]
INVALID = [case for case in _CASES if isinstance(case, Invalid)]

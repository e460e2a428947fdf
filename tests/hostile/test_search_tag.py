"""An unknown tag is "not found" (exit 3) in a search filter as in list --tag."""


def test_unknown_search_tag_is_not_found_like_list(run):
    """Both answer exit 3 with the same kind of one-line error."""
    assert run("list", "--tag", "nosuchtag").exit_code == 3
    assert run("search", "tag:nosuchtag").exit_code == 3

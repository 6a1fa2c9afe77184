"""Developer and test tools shipped with newsmon (local alert receiver)."""

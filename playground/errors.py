"""The package's own errors: messages written for a student, shown by pages with st.warning/st.error."""


class PlaygroundError(Exception):
    """Base class: anything the UI may show to the user as-is."""


class ConfigError(PlaygroundError):
    """A setting is out of range or two settings do not go together."""


class InputError(PlaygroundError):
    """The user's input (text, sequence) cannot be used."""


class DivergenceError(PlaygroundError):
    """Training produced NaN or inf."""

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "inmail_studio.sandbox"
    label = "sandbox"
    verbose_name = "LinkedIn sandbox"

    def ready(self) -> None:
        # The LinkedIn panel links a test message to the sandbox inbox's page of it; the room doesn't
        # import the sandbox, so the sandbox hands it the page.
        from inmail_studio.linkedin.selectors import TEST_MESSAGE_PAGES

        from .inbox import test_message_url

        if test_message_url not in TEST_MESSAGE_PAGES:
            TEST_MESSAGE_PAGES.append(test_message_url)

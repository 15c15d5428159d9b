// After django-otp-webauthn has registered a passkey, show the page again with the new passkey listed
// (its own script only shows a status message). The event bubbles from the register button.
document.addEventListener("otp_webauthn.register_complete", () => {
  window.setTimeout(() => window.location.reload(), 600);
});

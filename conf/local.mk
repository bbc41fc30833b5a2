# SPDX-License-Identifier: BSD-3-Clause
# Example configuration, PAM stacks, and the system-wide install steps.
EXTRA_DIST += conf/crauth.tmpfiles conf/crauth.conf conf/pam.d/sshd conf/pam.d/sudo \
	conf/pam.d/login conf/pam.d/su conf/pam.d/sshd-fallback conf/sshd_config.d/crauth.conf \
	conf/pam-configs/crauth conf/systemd/crauth-broker.socket conf/systemd/crauth-broker.service

# tmpfiles.d entry for /run/crauth (installed under the prefix; creating
# the directory and the _crauth user is install-setuid's job).
tmpfilesdir = $(prefix)/lib/tmpfiles.d
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(tmpfilesdir)'
	$(INSTALL_DATA) '$(srcdir)/conf/crauth.tmpfiles' '$(DESTDIR)$(tmpfilesdir)/crauth.conf'
uninstall-local:
	rm -f '$(DESTDIR)$(tmpfilesdir)/crauth.conf'

# The system-wide part `make install` leaves out (run as root, after it):
# the _crauth user, the set-id helper with its one file capability
# (cap_setgid, to shed the caller's groups), its state and cache directories.
install-setuid:
	@test "`id -u`" = 0 || { echo "install-setuid: run as root"; exit 1; }
	getent passwd _crauth >/dev/null || useradd --system --user-group \
		--home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin _crauth
	chown _crauth:_crauth '$(DESTDIR)$(pkglibexecdir)/crauth-helper'
	chmod 6755 '$(DESTDIR)$(pkglibexecdir)/crauth-helper'
	setcap cap_setgid=ep '$(DESTDIR)$(pkglibexecdir)/crauth-helper'
	install -d -o _crauth -g _crauth -m 0700 '$(DESTDIR)$(localstatedir)/lib/crauth' \
		'$(DESTDIR)$(runstatedir)/crauth'
.PHONY: install-setuid

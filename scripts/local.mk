# SPDX-License-Identifier: BSD-3-Clause
EXTRA_DIST += scripts/deps.sh scripts/demo.sh scripts/demo_login.py scripts/test.sh \
	scripts/lint.sh

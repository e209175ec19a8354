# Shared by the bench scripts (sourced): defines need.

# need CMD PACKAGE: install PACKAGE with apt-get when CMD is missing (as root); true when
# CMD is then available.
apt_updated=
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		if [ -z "$apt_updated" ]; then
			apt-get update -qq >&2 || true
			apt_updated=1
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2 || true
	fi
	command -v "$1" >/dev/null 2>&1
}

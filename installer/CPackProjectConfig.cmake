# Read by cpack itself before it builds each package (CPACK_PROJECT_CONFIG_FILE). CPackDeb puts
# CPACK_PACKAGE_DESCRIPTION_SUMMARY (the project's one description) in front of every
# component's own description; without it each package's first line is its own synopsis.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")

################################################################################
#
# lighter
#
################################################################################

# A prebuilt static binary (Swift's static Linux SDK, musl): nothing to compile here.
LIGHTER_VERSION = local
LIGHTER_SITE = $(call qstrip,$(BR2_PACKAGE_LIGHTER_DIST_DIR))
LIGHTER_SITE_METHOD = local
# LIGHTER_LICENSE: the project names no license yet; set it here when it does.
# The socket's group: members may use the daemon, which is root on the board.
LIGHTER_USERS = - - lighter -1 * - - - Lighter API socket

ifeq ($(BR2_PACKAGE_LIGHTER),y)
ifeq ($(call qstrip,$(BR2_PACKAGE_LIGHTER_DIST_DIR)),)
$(error BR2_PACKAGE_LIGHTER_DIST_DIR is empty: point it at a directory holding the static lighter binary and init/)
endif
endif

ifeq ($(BR2_PACKAGE_LIGHTER_DAEMON),y)
LIGHTER_MODE = daemon
else
LIGHTER_MODE = boot
endif

define LIGHTER_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/lighter $(TARGET_DIR)/usr/bin/lighter
	mkdir -p $(TARGET_DIR)/var/lib/lighter
	chmod 0711 $(TARGET_DIR)/var/lib/lighter
endef

define LIGHTER_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/init/sysv/S60lighter $(TARGET_DIR)/etc/init.d/S60lighter
	printf 'LIGHTER_MODE=%s\n' $(LIGHTER_MODE) > $(TARGET_DIR)/etc/default/lighter
endef

define LIGHTER_INSTALL_INIT_OPENRC
	$(INSTALL) -D -m 0755 $(@D)/init/openrc/lighter $(TARGET_DIR)/etc/init.d/lighter
	mkdir -p $(TARGET_DIR)/etc/conf.d
	printf 'LIGHTER_MODE="%s"\n' $(LIGHTER_MODE) > $(TARGET_DIR)/etc/conf.d/lighter
endef

ifeq ($(BR2_PACKAGE_LIGHTER_DAEMON),y)
define LIGHTER_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/init/systemd/lighter.service $(TARGET_DIR)/usr/lib/systemd/system/lighter.service
	$(INSTALL) -D -m 0644 $(@D)/init/systemd/lighter.socket $(TARGET_DIR)/usr/lib/systemd/system/lighter.socket
endef
else
define LIGHTER_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/init/systemd/lighter-boot.service $(TARGET_DIR)/usr/lib/systemd/system/lighter-boot.service
endef
endif

$(eval $(generic-package))

# git keeps neither hard links nor directory modes
chmod 700 private
ln -f hard/one hard/two
ln -sf a.txt alias.txt

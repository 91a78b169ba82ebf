"""Private helpers shared by every layer of attrition: optional dependencies,
name selection, statistics, number formatting and exception notes. They import
nothing of attrition but the exception classes, so any module may use them."""

"""Private helpers shared by every layer of attrition: optional dependencies,
name selection and statistics. They import nothing of attrition but the
exception classes, so any module may use them."""

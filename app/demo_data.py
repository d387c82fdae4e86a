"""The demo district's records, as plain data for `app.demo.seed_demo()`. All people are invented."""

from app.directory.models import SchoolKind

# key, full name (the natural key), short name, kind
SCHOOLS = [
    ("ckouo", "МКУ «Центр комплексного обслуживания образовательных учреждений» Нефтекумского городского округа",
     "ЦК ОУО", SchoolKind.OTHER),
    ("sosh1", "МКОУ СОШ № 1 г. Нефтекумска", "СОШ № 1 г. Нефтекумска", SchoolKind.SCHOOL),
    ("sosh2", "МКОУ СОШ № 2 г. Нефтекумска", "СОШ № 2 г. Нефтекумска", SchoolKind.SCHOOL),
    ("licey3", "МКОУ «Лицей № 3» г. Нефтекумска", "Лицей № 3", SchoolKind.LYCEUM),
    ("gimn4", "МКОУ «Гимназия № 4» г. Нефтекумска", "Гимназия № 4", SchoolKind.GYMNASIUM),
    ("zater", "МКОУ СОШ № 6 п. Затеречный", "СОШ № 6 п. Затеречный", SchoolKind.SCHOOL),
    ("achikulak", "МКОУ СОШ № 8 с. Ачикулак", "СОШ № 8 с. Ачикулак", SchoolKind.SCHOOL),
    ("mahmud", "МКОУ СОШ № 12 а. Махмуд-Мектеб", "СОШ № 12 а. Махмуд-Мектеб", SchoolKind.SCHOOL),
    ("ds5", "МКДОУ «Детский сад № 5 «Ромашка»» г. Нефтекумска", "Детский сад № 5 «Ромашка»", SchoolKind.KINDERGARTEN),
    ("ds9", "МКДОУ «Детский сад № 9 «Солнышко»» п. Затеречный", "Детский сад № 9 «Солнышко»", SchoolKind.KINDERGARTEN),
    ("ddt", "МКУ ДО «Дом детского творчества» г. Нефтекумска", "Дом детского творчества", SchoolKind.SUPPLEMENTARY),
]  # fmt: skip

# slug (the natural key), name
SUBJECTS = [
    ("matematika", "Математика"),
    ("russkiy-yazyk", "Русский язык"),
    ("literatura", "Литература"),
    ("fizika", "Физика"),
    ("khimiya", "Химия"),
    ("biologiya", "Биология"),
    ("istoriya", "История"),
    ("obshchestvoznanie", "Обществознание"),
    ("geografiya", "География"),
    ("angliyskiy-yazyk", "Английский язык"),
    ("informatika", "Информатика"),
    ("fizicheskaya-kultura", "Физическая культура"),
    ("tekhnologiya", "Технология"),
    ("nachalnye-klassy", "Начальные классы"),
    ("doshkolnoe-obrazovanie", "Дошкольное образование"),
]

PRE, PRI, BAS, SEC = "preschool", "primary", "basic", "secondary"
MATH, RUS, LIT, INF = "matematika", "russkiy-yazyk", "literatura", "informatika"

# e-mail (the natural key), full name, role, position, school key, subject slugs, levels
USERS = [
    ("admin@example.org", "Соколова Елена Викторовна", "admin",
     "начальник информационно-методического отдела", "ckouo", [], []),
    ("a.gavrilov@example.org", "Гаврилов Андрей Сергеевич", "admin",
     "методист по информатизации, технический специалист ВМК", "ckouo", [INF], []),
    ("methodist@example.org", "Белова Ирина Николаевна", "methodist",
     "методист по математике и информатике", "ckouo", [MATH, INF], [BAS, SEC]),
    ("n.zakharova@example.org", "Захарова Наталья Петровна", "methodist",
     "методист по русскому языку и литературе", "ckouo", [RUS, LIT], [BAS, SEC]),
    ("s.mironova@example.org", "Миронова Светлана Алексеевна", "methodist",
     "методист по начальному общему образованию", "ckouo", ["nachalnye-klassy"], [PRI]),
    ("l.tkacheva@example.org", "Ткачёва Людмила Ивановна", "methodist",
     "методист по дошкольному образованию", "ckouo", ["doshkolnoe-obrazovanie"], [PRE]),
    ("leader@example.org", "Кравченко Ольга Владимировна", "teacher",
     "учитель математики, руководитель РМО учителей математики", "licey3", [MATH], [BAS, SEC]),
    ("teacher@example.org", "Петрова Анна Сергеевна", "teacher",
     "учитель математики и информатики", "sosh2", [MATH, INF], [BAS, SEC]),
    ("t.morozova@example.org", "Морозова Татьяна Юрьевна", "teacher",
     "учитель математики", "sosh1", [MATH], [BAS, SEC]),
    ("z.abdurashidova@example.org", "Абдурашидова Зарема Магомедовна", "teacher",
     "учитель математики", "mahmud", [MATH], [BAS]),
    ("r.dzhumaev@example.org", "Джумаев Руслан Ахмедович", "teacher",
     "учитель математики и физики", "achikulak", [MATH, "fizika"], [BAS, SEC]),
    ("e.kovalenko@example.org", "Коваленко Евгения Викторовна", "teacher",
     "учитель математики", "gimn4", [MATH], [BAS, SEC]),
    ("o.lysenko@example.org", "Лысенко Оксана Петровна", "teacher", "учитель математики", "zater", [MATH], [BAS]),
    ("m.lebedeva@example.org", "Лебедева Марина Александровна", "teacher",
     "учитель русского языка и литературы, руководитель РМО", "gimn4", [RUS, LIT], [BAS, SEC]),
    ("g.orazova@example.org", "Оразова Гульнара Байрамовна", "teacher",
     "учитель русского языка и литературы", "mahmud", [RUS, LIT], [BAS, SEC]),
    ("v.shevchenko@example.org", "Шевченко Валентина Николаевна", "teacher",
     "учитель русского языка и литературы", "sosh1", [RUS, LIT], [BAS, SEC]),
    ("i.polyakova@example.org", "Полякова Ирина Геннадьевна", "teacher",
     "учитель русского языка и литературы", "zater", [RUS, LIT], [BAS]),
    ("o.vasilieva@example.org", "Васильева Ольга Михайловна", "teacher",
     "учитель начальных классов, руководитель РМО", "sosh1", ["nachalnye-klassy"], [PRI]),
    ("a.kubanova@example.org", "Кубанова Айшат Ремиевна", "teacher",
     "учитель начальных классов", "achikulak", ["nachalnye-klassy"], [PRI]),
    ("e.fedorova@example.org", "Фёдорова Екатерина Андреевна", "teacher",
     "учитель начальных классов, руководитель ШМО", "sosh1", ["nachalnye-klassy"], [PRI]),
    ("n.gritsenko@example.org", "Гриценко Надежда Васильевна", "teacher",
     "учитель начальных классов", "sosh2", ["nachalnye-klassy"], [PRI]),
    ("y.karpenko@example.org", "Карпенко Юлия Сергеевна", "teacher",
     "учитель начальных классов", "licey3", ["nachalnye-klassy"], [PRI]),
    ("l.romanova@example.org", "Романова Лариса Викторовна", "teacher",
     "старший воспитатель, руководитель РМО", "ds5", ["doshkolnoe-obrazovanie"], [PRE]),
    ("d.umarova@example.org", "Умарова Диана Руслановна", "teacher",
     "воспитатель", "ds9", ["doshkolnoe-obrazovanie"], [PRE]),
    ("k.nikitina@example.org", "Никитина Ксения Олеговна", "teacher",
     "воспитатель", "ds5", ["doshkolnoe-obrazovanie"], [PRE]),
    ("s.yusupova@example.org", "Юсупова Саида Ибрагимовна", "teacher",
     "музыкальный руководитель", "ds9", ["doshkolnoe-obrazovanie"], [PRE]),
    ("v.sidorenko@example.org", "Сидоренко Виктор Павлович", "teacher",
     "учитель истории и обществознания, руководитель РМО", "sosh2", ["istoriya", "obshchestvoznanie"], [BAS, SEC]),
    ("a.batyrova@example.org", "Батырова Аминат Казбековна", "teacher",
     "учитель истории и обществознания", "achikulak", ["istoriya", "obshchestvoznanie"], [BAS, SEC]),
    ("p.kuzmenko@example.org", "Кузьменко Павел Андреевич", "teacher",
     "учитель физики", "licey3", ["fizika"], [BAS, SEC]),
    ("n.bondarenko@example.org", "Бондаренко Наталья Сергеевна", "teacher",
     "учитель химии и биологии, руководитель РМО", "gimn4", ["khimiya", "biologiya"], [BAS, SEC]),
    ("m.aliev@example.org", "Алиев Магомед Шамилевич", "teacher",
     "учитель географии", "mahmud", ["geografiya"], [BAS, SEC]),
    ("e.zaitseva@example.org", "Зайцева Елена Дмитриевна", "teacher",
     "учитель биологии", "zater", ["biologiya"], [BAS, SEC]),
    ("k.tarasova@example.org", "Тарасова Кристина Игоревна", "teacher",
     "учитель английского языка, руководитель РМО", "licey3", ["angliyskiy-yazyk"], [PRI, BAS, SEC]),
    ("l.mambetova@example.org", "Мамбетова Лилия Арслановна", "teacher",
     "учитель английского языка", "sosh1", ["angliyskiy-yazyk"], [PRI, BAS]),
    ("d.volkov@example.org", "Волков Дмитрий Алексеевич", "teacher",
     "учитель информатики, руководитель РМО", "gimn4", [INF], [BAS, SEC]),
    ("s.grigoriev@example.org", "Григорьев Сергей Николаевич", "teacher",
     "учитель физической культуры", "zater", ["fizicheskaya-kultura"], [PRI, BAS, SEC]),
    ("t.shapovalova@example.org", "Шаповалова Татьяна Викторовна", "teacher",
     "педагог дополнительного образования (робототехника)", "ddt", [INF, "tekhnologiya"], [PRI, BAS]),
    ("a.osipova@example.org", "Осипова Алла Борисовна", "teacher",
     "заместитель директора по учебно-воспитательной работе", "sosh2", [RUS], [PRI, BAS, SEC]),
    ("r.nurmagomedova@example.org", "Нурмагомедова Рашида Абдулаевна", "teacher",
     "заместитель директора по научно-методической работе", "licey3", [MATH], [BAS, SEC]),
    ("i.kovalev@example.org", "Ковалёв Игорь Витальевич", "teacher",
     "заместитель директора по учебно-воспитательной работе", "achikulak", ["istoriya"], [BAS, SEC]),
]  # fmt: skip

# Registrations with a confirmed e-mail, waiting for an administrator's approval.
PENDING_USERS = [
    ("a.medvedeva@example.org", "Медведева Алина Романовна", "teacher",
     "учитель русского языка и литературы (молодой специалист)", "sosh2", [RUS, LIT], [BAS]),
    ("b.khalilov@example.org", "Халилов Байрам Эльдарович", "teacher",
     "учитель физической культуры", "mahmud", ["fizicheskaya-kultura"], [BAS, SEC]),
]  # fmt: skip

ASSOCIATIONS = [
    {
        "slug": "rmo-matematika",
        "name": "РМО учителей математики",
        "kind": "district",
        "subjects": [MATH],
        "levels": [BAS, SEC],
        "description": (
            "Районное методическое объединение учителей математики Нефтекумского городского округа.\n\n"
            "**Направления работы в 2026/27 учебном году:**\n\n"
            "- подготовка обучающихся к ОГЭ и ЕГЭ: разбор трудных заданий второй части;\n"
            "- формирование математической грамотности на уроках и во внеурочной деятельности;\n"
            "- работа с одарёнными детьми, муниципальный этап всероссийской олимпиады школьников;\n"
            "- наставничество для молодых специалистов.\n\n"
            "Заседания проходят раз в четверть в МКОУ «Лицей № 3», открытые уроки — по графику в плане работы."
        ),
        "leaders": ["leader@example.org"],
        "members": ["teacher@example.org", "t.morozova@example.org", "z.abdurashidova@example.org",
                    "r.dzhumaev@example.org", "e.kovalenko@example.org", "o.lysenko@example.org",
                    "methodist@example.org", "r.nurmagomedova@example.org"],
    },
    {
        "slug": "rmo-russkiy-yazyk",
        "name": "РМО учителей русского языка и литературы",
        "kind": "district",
        "subjects": [RUS, LIT],
        "levels": [BAS, SEC],
        "description": (
            "Объединяем учителей русского языка и литературы всех школ округа.\n\n"
            "Обсуждаем итоговое сочинение и итоговое собеседование в 9 классе, делимся разработками уроков "
            "по обновлённым ФГОС, готовим районный конкурс чтецов «Живая классика».\n\n"
            "> Читающий ученик начинается с читающего учителя."
        ),
        "leaders": ["m.lebedeva@example.org"],
        "members": ["g.orazova@example.org", "v.shevchenko@example.org", "i.polyakova@example.org",
                    "n.zakharova@example.org", "a.osipova@example.org"],
    },
    {
        "slug": "rmo-nachalnye-klassy",
        "name": "РМО учителей начальных классов",
        "kind": "district",
        "join_policy": "request",
        "subjects": ["nachalnye-klassy"],
        "levels": [PRI],
        "description": (
            "Методическое объединение учителей начальных классов.\n\n"
            "**Темы года:**\n\n"
            "1. Смысловое чтение и работа с текстом на всех предметах.\n"
            "2. Оценивание без отметок в первом классе: критерии и листы достижений.\n"
            "3. Преемственность детского сада и школы.\n\n"
            "Вступление — по заявке: напишите, в какой школе и в каких классах вы работаете."
        ),
        "leaders": ["o.vasilieva@example.org"],
        "members": ["a.kubanova@example.org", "e.fedorova@example.org", "n.gritsenko@example.org",
                    "s.mironova@example.org"],
        "requests": {
            "y.karpenko@example.org": "Работаю в Лицее № 3 первый год, веду 2 «Б» класс. "
            "Хочу участвовать в работе объединения.",
        },
    },
    {
        "slug": "rmo-doshkolnoe-obrazovanie",
        "name": "РМО педагогов дошкольного образования",
        "kind": "district",
        "subjects": ["doshkolnoe-obrazovanie"],
        "levels": [PRE],
        "description": (
            "Воспитатели, старшие воспитатели, музыкальные руководители и инструкторы по физической культуре "
            "детских садов округа.\n\n"
            "Работаем по ФОП ДО: планирование образовательной деятельности, развивающая предметно-"
            "пространственная среда, взаимодействие с семьями воспитанников."
        ),
        "leaders": ["l.romanova@example.org"],
        "members": ["d.umarova@example.org", "k.nikitina@example.org", "s.yusupova@example.org",
                    "l.tkacheva@example.org"],
    },
    {
        "slug": "rmo-istoriya-obshchestvoznanie",
        "name": "РМО учителей истории и обществознания",
        "kind": "district",
        "subjects": ["istoriya", "obshchestvoznanie"],
        "levels": [BAS, SEC],
        "description": (
            "Единый учебник истории, финансовая грамотность на уроках обществознания, краеведение: "
            "история Нефтекумского края и Прикумья в школьном курсе.\n\n"
            "Готовим муниципальную краеведческую конференцию школьников."
        ),
        "leaders": ["v.sidorenko@example.org"],
        "members": ["a.batyrova@example.org", "i.kovalev@example.org"],
    },
    {
        "slug": "rmo-estestvennye-nauki",
        "name": "РМО учителей естественнонаучного цикла",
        "kind": "district",
        "join_policy": "request",
        "subjects": ["fizika", "khimiya", "biologiya", "geografiya"],
        "levels": [BAS, SEC],
        "description": (
            "Физика, химия, биология и география.\n\n"
            "- естественнонаучная грамотность и задания в формате PISA;\n"
            "- оборудование центров «Точка роста» на уроках и во внеурочной деятельности;\n"
            "- лабораторные и практические работы в ОГЭ и ЕГЭ."
        ),
        "leaders": ["n.bondarenko@example.org"],
        "members": ["p.kuzmenko@example.org", "m.aliev@example.org"],
        "requests": {
            "e.zaitseva@example.org": "Прошу принять: преподаю биологию в 6–11 классах СОШ № 6, готовлю ребят к ОГЭ.",
            "r.dzhumaev@example.org": "Веду физику в 7–9 классах, хотел бы участвовать в работе объединения.",
        },
    },
    {
        "slug": "rmo-angliyskiy-yazyk",
        "name": "РМО учителей английского языка",
        "kind": "district",
        "subjects": ["angliyskiy-yazyk"],
        "levels": [PRI, BAS, SEC],
        "description": (
            "Учителя английского языка школ округа. Устная часть ОГЭ и ЕГЭ, проектная деятельность, "
            "обмен аутентичными материалами для уроков."
        ),
        "leaders": ["k.tarasova@example.org"],
        "members": ["l.mambetova@example.org"],
    },
    {
        "slug": "rmo-informatika",
        "name": "РМО учителей информатики",
        "kind": "district",
        "subjects": [INF],
        "levels": [BAS, SEC],
        "description": (
            "Программирование на Python в школьном курсе, компьютерный ЕГЭ по информатике, "
            "цифровая гигиена и безопасность в сети.\n\n"
            "Полезные ссылки и разборы задач публикуем в обсуждениях объединения."
        ),
        "leaders": ["d.volkov@example.org"],
        "members": ["teacher@example.org", "t.shapovalova@example.org", "a.gavrilov@example.org",
                    "methodist@example.org"],
    },
    {
        "slug": "shmo-litsey-3-estestvenno-matematicheskiy-tsikl",
        "name": "ШМО учителей естественно-математического цикла МКОУ «Лицей № 3»",
        "kind": "school",
        "school": "licey3",
        "visibility": "members",
        "join_policy": "invitation",
        "subjects": [MATH, "fizika", INF],
        "levels": [BAS, SEC],
        "description": (
            "Школьное методическое объединение лицея: математика, физика и информатика.\n\n"
            "Здесь — план работы ШМО, протоколы заседаний и взаимопосещение уроков. "
            "Материалы видны только участникам объединения."
        ),
        "leaders": ["leader@example.org"],
        "members": ["p.kuzmenko@example.org", "r.nurmagomedova@example.org"],
    },
    {
        "slug": "shmo-sosh-1-nachalnye-klassy",
        "name": "ШМО учителей начальных классов МКОУ СОШ № 1 г. Нефтекумска",
        "kind": "school",
        "school": "sosh1",
        "visibility": "members",
        "join_policy": "invitation",
        "subjects": ["nachalnye-klassy"],
        "levels": [PRI],
        "description": (
            "Школьное методическое объединение учителей начальных классов СОШ № 1.\n\n"
            "Вступление — по приглашению руководителя ШМО."
        ),
        "leaders": ["e.fedorova@example.org"],
        "members": ["o.vasilieva@example.org", "l.mambetova@example.org"],
    },
    {
        "slug": "tg-funktsionalnaya-gramotnost",
        "name": "Творческая группа «Функциональная грамотность»",
        "kind": "creative_group",
        "join_policy": "request",
        "subjects": [MATH, RUS, "biologiya"],
        "levels": [BAS],
        "description": (
            "Межпредметная творческая группа: составляем банк заданий по читательской, математической и "
            "естественнонаучной грамотности для 5–9 классов и проводим районные диагностические работы.\n\n"
            "**Результат года** — сборник заданий с критериями оценивания для всех школ округа."
        ),
        "leaders": ["methodist@example.org"],
        "members": ["teacher@example.org", "m.lebedeva@example.org", "n.bondarenko@example.org",
                    "e.kovalenko@example.org", "a.osipova@example.org"],
        "requests": {
            "i.polyakova@example.org": "Хотела бы присоединиться: веду в школе курс «Смысловое чтение».",
        },
    },
    {
        "slug": "tg-tsifrovaya-obrazovatelnaya-sreda",
        "name": "Творческая группа «Цифровая образовательная среда»",
        "kind": "creative_group",
        "join_policy": "request",
        "subjects": [INF],
        "levels": [PRI, BAS, SEC],
        "description": (
            "Творческая группа 2023–2025 годов: освоение ФГИС «Моя школа», электронные журналы и дневники, "
            "цифровые образовательные ресурсы на уроке.\n\n"
            "Проект завершён, методические рекомендации группы сохранены в архиве."
        ),
        "leaders": ["d.volkov@example.org"],
        "members": ["teacher@example.org", "t.shapovalova@example.org", "a.gavrilov@example.org"],
        "archived": "Проект 2023–2025 годов завершён, материалы сохранены.",
    },
    {
        "slug": "metodicheskiy-sovet",
        "name": "Методический совет",
        "kind": "council",
        "visibility": "members",
        "join_policy": "invitation",
        "description": (
            "Методический совет Нефтекумского городского округа координирует методическую работу "
            "образовательных организаций: утверждает планы работы РМО, рассматривает итоги экспертизы "
            "материалов, готовит муниципальные конкурсы профессионального мастерства.\n\n"
            "Состав совета утверждается приказом отдела образования."
        ),
        "leaders": ["admin@example.org"],
        "members": ["methodist@example.org", "n.zakharova@example.org", "s.mironova@example.org",
                    "l.tkacheva@example.org", "a.osipova@example.org", "r.nurmagomedova@example.org",
                    "i.kovalev@example.org", "leader@example.org", "m.lebedeva@example.org",
                    "o.vasilieva@example.org", "l.romanova@example.org"],
    },
]  # fmt: skip

# Threads, by association slug and title (the natural key). "replies": author, body and optionally "to", the index
# of the post answered (0 = the opening post, 1 = the first reply …). "useful": post index → who marked it «Полезно».
# "files": post index → demo attachments (names of DEMO_FILES, generated by app.demo). "days_ago": when it started.
THREADS = [
    {
        "association": "rmo-matematika",
        "title": "План работы РМО на второе полугодие и график открытых уроков",
        "kind": "announcement",
        "author": "leader@example.org",
        "pinned": True,
        "days_ago": 20,
        "tags": "план работы, открытые уроки",
        "body": (
            "Уважаемые коллеги!\n\n"
            "Публикую проект плана работы РМО на второе полугодие. **Замечания и предложения — до 5 декабря** "
            "в ответах к этой теме.\n\n"
            "| Месяц | Мероприятие | Ответственный |\n"
            "|---|---|---|\n"
            "| Январь | Семинар «Задания с параметром в ЕГЭ профильного уровня» | Кравченко О. В. |\n"
            "| Февраль | Открытый урок в 6 классе «Положительные и отрицательные числа» | Морозова Т. Ю. |\n"
            "| Март | Круглый стол по итогам пробного ОГЭ | Белова И. Н. |\n"
            "| Апрель | Открытый урок в 8 классе «Квадратные уравнения» | Коваленко Е. В. |\n\n"
            "Заседание РМО — **в последнюю среду января в 14:00**, Лицей № 3, кабинет 21."
        ),
        "replies": [
            {"author": "t.morozova@example.org",
             "body": "Ольга Владимировна, открытый урок в феврале подтверждаю. Тему могу немного сместить на "
                     "«Координатную прямую», если так удобнее по программе."},
            {"author": "leader@example.org", "to": 1,
             "body": "Татьяна Юрьевна, да, так даже лучше: к середине февраля все шестые классы как раз дойдут до "
                     "координатной прямой."},
            {"author": "methodist@example.org",
             "body": "Предлагаю добавить в апреле практикум по проверке заданий второй части ОГЭ с критериями "
                     "ФИПИ — в прошлом году расхождения между экспертами были заметные."},
        ],
        "useful": {0: ["teacher@example.org", "t.morozova@example.org", "e.kovalenko@example.org"],
                   3: ["leader@example.org", "teacher@example.org"]},
    },
    {
        "association": "rmo-matematika",
        "title": "Как вы готовите пятиклассников к ВПР по математике?",
        "kind": "question",
        "author": "teacher@example.org",
        "days_ago": 12,
        # no methodist has answered yet: the demo's overdue question in the queue of methodist@example.org
        "consultation": {"subject": MATH, "level": "basic", "grade": "5 класс", "topic": "Подготовка к ВПР"},
        "tags": "ВПР, 5 класс",
        "body": (
            "Коллеги, в этом году у меня два пятых класса, и в прошлом году результаты ВПР в параллели были "
            "ниже районных.\n\n"
            "Больше всего ошибок было в заданиях:\n\n"
            "1. на **чтение таблиц и диаграмм**;\n"
            "2. на **логику** (задачи «на переливания» и «кто где сидит»);\n"
            "3. на **единицы измерения** (перевод метров в сантиметры, часов в минуты).\n\n"
            "Как вы встраиваете подготовку в уроки, чтобы не превращать весь апрель в «натаскивание»?"
        ),
        "replies": [
            {"author": "e.kovalenko@example.org", "to": 0,
             "body": "Анна Сергеевна, я с сентября раз в неделю даю **пятиминутку** в начале урока: одно задание "
                     "из демоверсии, обсуждаем сразу. К апрелю дети уже не боятся формулировок."},
            {"author": "z.abdurashidova@example.org", "to": 1,
             "body": "Евгения Викторовна, а пятиминутки вы берёте по порядку заданий или вразнобой? У нас в "
                     "сельской школе дети сильно теряются именно на новых формулировках."},
            {"author": "e.kovalenko@example.org", "to": 2,
             "body": "Вразнобой, но с повторением: каждое задание возвращается через две-три недели в другой "
                     "обёртке. Могу выложить свою подборку в теме про функциональную грамотность."},
            {"author": "leader@example.org",
             "body": "По таблицам и диаграммам хорошо работают задания из открытого банка ФИПИ и из учебника "
                     "«Математика 5» — рубрика «Читаем таблицы». И не забывайте про критерии:\n\n"
                     "> Задание считается выполненным, если записан верный ответ и приведено решение.\n\n"
                     "Детей надо приучать записывать решение, а не только ответ."},
            {"author": "teacher@example.org",
             "body": "Спасибо всем! Попробую пятиминутки со второй четверти, потом расскажу о результатах."},
        ],
        "useful": {1: ["teacher@example.org", "z.abdurashidova@example.org", "leader@example.org"],
                   4: ["teacher@example.org", "o.lysenko@example.org"]},
        "files": {4: ["Результаты ВПР 5 класс — диаграмма.png"]},
    },
    {
        "association": "rmo-matematika",
        "title": "Опыт: «перевёрнутый класс» на уроках алгебры в 8 классе",
        "kind": "experience",
        "author": "e.kovalenko@example.org",
        "grade": "8 класс, ООО",
        "method": "перевёрнутый класс (flipped classroom)",
        "days_ago": 9,
        "tags": "ФГОС, смешанное обучение, алгебра",
        "body": (
            "Делюсь опытом за первую четверть.\n\n"
            "**Как устроено:** дома ученики смотрят короткое видео (5–7 минут) и отвечают на три вопроса в "
            "форме, на уроке — только практика в группах и разбор ошибок.\n\n"
            "**Что получилось:**\n\n"
            "- на уроке остаётся 30 минут на решение задач вместо 10;\n"
            "- слабые ученики пересматривают видео столько раз, сколько нужно;\n"
            "- средний балл за контрольную по теме «Квадратные корни» вырос с 3,4 до 3,9.\n\n"
            "**Что не получилось:** около 20 % класса видео не смотрят, приходится начинать урок с "
            "краткого повторения.\n\n"
            "> Главное — видео короткое и с вопросом, на который нельзя ответить, не посмотрев."
        ),
        "replies": [
            {"author": "t.morozova@example.org", "to": 0,
             "body": "Очень интересно! А где вы берёте видео — записываете сами или используете готовые?"},
            {"author": "e.kovalenko@example.org", "to": 1,
             "body": "Половину записываю сама (экран планшета и голос), половину беру из РЭШ — там уроки по "
                     "программе, удобно."},
            {"author": "r.nurmagomedova@example.org",
             "body": "Евгения Викторовна, приглашаем вас выступить с этим опытом на заседании РМО в январе. "
                     "@[Кравченко Ольга Владимировна], включим в план?"},
            {"author": "leader@example.org", "to": 3,
             "body": "Обязательно, добавлю в план. Евгения Викторовна, подготовьте, пожалуйста, 10-минутное "
                     "выступление с примерами видео."},
        ],
        "useful": {0: ["teacher@example.org", "leader@example.org", "t.morozova@example.org",
                       "methodist@example.org"]},
    },
    {
        "association": "rmo-matematika",
        "title": "Открытый банк заданий ОГЭ по математике на сайте ФИПИ",
        "kind": "link",
        "author": "methodist@example.org",
        "url": "https://fipi.ru/oge/otkrytyy-bank-zadaniy-oge",
        "days_ago": 6,
        "tags": "ОГЭ, ФИПИ",
        "body": (
            "Напоминаю про открытый банк заданий ОГЭ: задания можно отбирать **по темам и по номерам КИМ**, "
            "удобно для тематических самостоятельных.\n\n"
            "Для 9 классов рекомендую начинать с заданий 1–5 (практико-ориентированный блок) — именно там "
            "в прошлом году район потерял больше всего баллов."
        ),
        "replies": [
            {"author": "r.dzhumaev@example.org",
             "body": "Спасибо! Добавлю, что банк иногда долго открывается с телефона — лучше сразу "
                     "распечатывать подборки."},
        ],
        "useful": {0: ["teacher@example.org", "r.dzhumaev@example.org", "o.lysenko@example.org"]},
    },
    {
        "association": "rmo-matematika",
        "title": "Оценивание практической части: нужна ли отдельная отметка за построение графиков?",
        "kind": "discussion",
        "author": "o.lysenko@example.org",
        "days_ago": 3,
        "tags": "оценивание",
        "body": (
            "В положении о текущем контроле нашей школы ничего не сказано про построение графиков на "
            "контрольных. Одни коллеги снижают отметку за неаккуратный график, другие — нет.\n\n"
            "Как это устроено у вас? Есть ли в школах округа общие критерии?"
        ),
        "replies": [
            {"author": "t.morozova@example.org",
             "body": "У нас в СОШ № 1 снижаем, только если график построен **неверно** (неверные точки, "
                     "нет подписи осей). За аккуратность — нет."},
            {"author": "teacher@example.org", "to": 1,
             "body": "Поддерживаю. И важно заранее показать детям критерии, иначе отметка воспринимается "
                     "как несправедливая."},
        ],
    },
    {
        "association": "rmo-russkiy-yazyk",
        "title": "Итоговое собеседование в 9 классе: как тренировать монолог",
        "kind": "question",
        "author": "g.orazova@example.org",
        "days_ago": 15,
        # answered by the methodist n.zakharova@example.org; the asker accepts the first colleague's advice
        "consultation": {"subject": RUS, "level": "basic", "grade": "9 класс", "accept": 1,
                         "rate": {"helped": False, "comment": "Приём полезный, но моим ребятам нужно больше "
                                                              "образцов ответов."}},
        "tags": "итоговое собеседование, 9 класс",
        "body": (
            "Коллеги, у многих моих девятиклассников монолог занимает меньше минуты: ответят на два вопроса "
            "из трёх и замолкают.\n\n"
            "Какие упражнения помогают «разговорить» ребят?"
        ),
        "replies": [
            {"author": "m.lebedeva@example.org", "to": 0,
             "body": "Гульнара Байрамовна, хорошо работает приём **«три вопроса — три абзаца»**: ученик "
                     "заранее планирует, что скажет по каждому вопросу, хотя бы по два предложения.\n\n"
                     "Ещё — запись на диктофон телефона и самопроверка по критериям."},
            {"author": "v.shevchenko@example.org", "to": 1,
             "body": "Про диктофон подтверждаю: когда ребёнок слышит себя, он сам замечает паузы и "
                     "повторы. Мы делаем это в парах на уроке."},
            {"author": "n.zakharova@example.org",
             "body": "Напомню, что демоверсия и критерии итогового собеседования опубликованы на сайте "
                     "ФИПИ. На методическом дне в декабре разберём типичные ошибки экспертов."},
        ],
        "useful": {1: ["g.orazova@example.org", "i.polyakova@example.org", "v.shevchenko@example.org"]},
    },
    {
        "association": "rmo-russkiy-yazyk",
        "title": "Районный конкурс чтецов «Живая классика»: сроки и положение",
        "kind": "announcement",
        "author": "m.lebedeva@example.org",
        "pinned": True,
        "days_ago": 10,
        "tags": "конкурс, живая классика",
        "body": (
            "Районный этап конкурса юных чтецов «Живая классика» пройдёт **в феврале** в Гимназии № 4.\n\n"
            "- школьный этап — до 31 января;\n"
            "- заявки на районный этап — до 7 февраля;\n"
            "- от каждой школы — не более трёх участников.\n\n"
            "Вопросы пишите в этой теме."
        ),
        "replies": [
            {"author": "i.polyakova@example.org",
             "body": "Марина Александровна, можно ли читать отрывок из произведения, которое входит в "
                     "школьную программу?"},
            {"author": "m.lebedeva@example.org", "to": 1,
             "body": "Нет, по положению конкурса — только произведения, не входящие в школьную программу."},
        ],
    },
    {
        "association": "rmo-nachalnye-klassy",
        "title": "Листы достижений в первом классе: делимся шаблонами",
        "kind": "experience",
        "author": "e.fedorova@example.org",
        "grade": "1 класс, НОО",
        "method": "безотметочное оценивание, листы достижений",
        "days_ago": 14,
        "tags": "безотметочное оценивание, 1 класс, ФГОС",
        "body": (
            "Третий год веду в первых классах листы достижений по математике и обучению грамоте.\n\n"
            "**Как устроен лист:** по каждой теме 4–5 умений, ребёнок сам закрашивает кружок (умею / "
            "учусь / пока не получается), учитель ставит свою отметку рядом.\n\n"
            "Родителям лист показываем раз в четверть — вопросов «почему нет оценок» стало гораздо меньше."
        ),
        "replies": [
            {"author": "a.kubanova@example.org", "to": 0,
             "body": "Екатерина Андреевна, поделитесь, пожалуйста, шаблоном по обучению грамоте!"},
            {"author": "e.fedorova@example.org", "to": 1,
             "body": "Прикрепляю памятку для родителей и описание листа — шаблон можно собрать по ней."},
            {"author": "s.mironova@example.org",
             "body": "Отличная практика. Рекомендую всем РМО: на августовской конференции покажем её "
                     "как пример формирующего оценивания."},
        ],
        "useful": {0: ["a.kubanova@example.org", "n.gritsenko@example.org", "o.vasilieva@example.org"],
                   2: ["a.kubanova@example.org"]},
        "files": {2: ["Памятка для родителей.txt"]},
    },
    {
        "association": "rmo-informatika",
        "title": "Python или Паскаль в 8 классе: на чём вы начинаете программирование?",
        "kind": "discussion",
        "author": "d.volkov@example.org",
        "days_ago": 8,
        "tags": "программирование, python, ЕГЭ",
        "body": (
            "Коллеги, в округе до сих пор половина школ начинает программирование с Паскаля. На "
            "компьютерном ЕГЭ большинство сдающих пишут на Python.\n\n"
            "Пример задачи, которую мои восьмиклассники решают к концу первой четверти:\n\n"
            "```\n"
            "n = int(input())\n"
            "print(sum(int(d) for d in str(n)))\n"
            "```\n\n"
            "Что думаете о переходе?"
        ),
        "replies": [
            {"author": "teacher@example.org", "to": 0,
             "body": "Я перешла на Python два года назад — дети быстрее доходят до интересных задач, меньше "
                     "времени уходит на синтаксис."},
            {"author": "t.shapovalova@example.org", "to": 1,
             "body": "В Доме детского творчества на робототехнике тоже Python (MicroPython), так что "
                     "ребятам потом проще."},
            {"author": "a.gavrilov@example.org",
             "body": "Напомню, что в кабинетах информатики школ округа Python 3 установлен; если где-то "
                     "нет — пишите мне."},
        ],
        "useful": {1: ["d.volkov@example.org", "t.shapovalova@example.org"]},
    },
    {
        "association": "rmo-informatika",
        "title": "Конструктор рабочих программ на портале «Единое содержание общего образования»",
        "kind": "link",
        "author": "methodist@example.org",
        "url": "https://edsoo.ru/konstruktor-rabochih-programm/",
        "days_ago": 18,
        "tags": "ФГОС, рабочая программа",
        "body": (
            "Рабочие программы по информатике на новый учебный год удобно собирать в конструкторе: "
            "федеральная рабочая программа уже загружена, остаётся распределить часы."
        ),
        "replies": [],
        "useful": {0: ["d.volkov@example.org", "teacher@example.org"]},
    },
    {
        "association": "tg-funktsionalnaya-gramotnost",
        "title": "Банк заданий по функциональной грамотности: собираем задания для 7 класса",
        "kind": "discussion",
        "author": "methodist@example.org",
        "days_ago": 11,
        "tags": "функциональная грамотность, 7 класс, PISA",
        "body": (
            "Коллеги, начинаем собирать задания для 7 класса. Формат — как в PISA: **контекст из жизни**, "
            "несколько вопросов разного уровня, критерии оценивания.\n\n"
            "Распределение:\n\n"
            "- математическая грамотность — Петрова А. С., Коваленко Е. В.;\n"
            "- читательская — Лебедева М. А., Осипова А. Б.;\n"
            "- естественнонаучная — Бондаренко Н. С.\n\n"
            "Черновики выкладывайте ответами в эту тему до 20 декабря."
        ),
        "replies": [
            {"author": "teacher@example.org",
             "body": "Первое задание по математической грамотности — «Тариф на мобильную связь»: сравнить "
                     "три тарифа по таблице и выбрать выгодный для семьи.\n\n"
                     "| Тариф | Абонентская плата | Минуты | Интернет |\n"
                     "|---|---|---|---|\n"
                     "| «Базовый» | 350 ₽ | 300 | 10 ГБ |\n"
                     "| «Семейный» | 590 ₽ | 800 | 25 ГБ |\n"
                     "| «Безлимит» | 900 ₽ | без ограничений | 50 ГБ |"},
            {"author": "n.bondarenko@example.org", "to": 1,
             "body": "Анна Сергеевна, хорошее задание! Добавьте вопрос с открытым ответом — «объясните, "
                     "почему» — он хорошо различает уровни."},
            {"author": "teacher@example.org", "to": 2,
             "body": "Добавлю, спасибо. И критерии для открытого ответа пропишу отдельно."},
            {"author": "m.lebedeva@example.org",
             "body": "Читательская грамотность: берём текст о Нефтекумском крае из районной газеты, "
                     "вопросы на поиск информации и на оценку достоверности."},
        ],
        "useful": {1: ["methodist@example.org", "n.bondarenko@example.org", "e.kovalenko@example.org"],
                   4: ["methodist@example.org"]},
    },
    {
        "association": "shmo-litsey-3-estestvenno-matematicheskiy-tsikl",
        "title": "Протокол заседания ШМО № 2: взаимопосещение уроков",
        "kind": "announcement",
        "author": "leader@example.org",
        "days_ago": 7,
        "tags": "протокол, взаимопосещение",
        "body": (
            "Коллеги, протокол второго заседания ШМО.\n\n"
            "**Решили:**\n\n"
            "1. Провести взаимопосещение уроков в 7–9 классах до конца декабря.\n"
            "2. Результаты обсудить на заседании в январе.\n\n"
            "График посещений — в ответе ниже."
        ),
        "replies": [
            {"author": "p.kuzmenko@example.org",
             "body": "Ознакомлен. Свой урок физики в 8 «А» могу показать 12 декабря, четвёртым уроком."},
        ],
    },
    # --- consultations in every status (issue 5): answered and endorsed, taken and private, closed as a duplicate,
    # resolved and rated and in the knowledge base, private and resolved with the asker's consent ---------------
    {
        "association": "rmo-informatika",
        "title": "Какие программы установить на компьютеры для ОГЭ по информатике?",
        "kind": "question",
        "author": "teacher@example.org",
        "days_ago": 3,
        "consultation": {"subject": INF, "level": "basic", "grade": "9 класс", "topic": "Подготовка к ОГЭ",
                         "endorse": {1: "methodist@example.org"}},
        "tags": "ОГЭ, 9 класс",
        "body": (
            "Коллеги, весной у нас впервые будет компьютерная форма ОГЭ в своей школе. Какой набор программ "
            "нужен на рабочих местах участников и где взять точный список?"
        ),
        "replies": [
            {"author": "t.shapovalova@example.org", "to": 0,
             "body": "Мы в прошлом году ставили офисный пакет, Python с IDLE и КуМир. Список был в письме "
                     "регионального центра обработки информации."},
            {"author": "methodist@example.org", "to": 0,
             "body": "Анна Сергеевна, перечень программного обеспечения публикуется в методических "
                     "рекомендациях ФИПИ к ОГЭ по информатике (раздел «Требования к рабочему месту»).\n\n"
                     "Кратко: текстовый редактор и электронные таблицы, среды программирования на выбор "
                     "участника (Python, Паскаль, КуМир, C++) и браузер без доступа в интернет. Проверьте "
                     "рабочие места за неделю до экзамена — на пробном ОГЭ в ноябре."},
        ],
    },
    {
        "association": "rmo-matematika",
        "title": "Как выставить четвертную оценку ученику после долгой болезни?",
        "kind": "question",
        "author": "t.morozova@example.org",
        "days_ago": 1,
        "private": True,
        "consultation": {"subject": MATH, "level": "basic", "grade": "7 класс", "take": "methodist@example.org"},
        "body": (
            "Ученик пропустил по болезни шесть недель из девяти, у него две оценки за четверть. Родители "
            "просят не выставлять «н/а». Как поступить по положению о текущем контроле?"
        ),
        "replies": [],
    },
    {
        "association": "rmo-matematika",
        "title": "Где найти демоверсию ВПР по математике для пятого класса?",
        "kind": "question",
        "author": "z.abdurashidova@example.org",
        "days_ago": 2,
        "consultation": {"subject": MATH, "level": "basic", "grade": "5 класс",
                         "close": {"by": "methodist@example.org", "duplicate_of": (
                             "Как вы готовите пятиклассников к ВПР по математике?")}},
        "body": "Подскажите, пожалуйста, где официально публикуются демоверсии ВПР и критерии оценивания?",
        "replies": [],
    },
    {
        "association": "rmo-informatika",
        "title": "Можно ли давать на уроке задания из открытого банка ЕГЭ восьмиклассникам?",
        "kind": "question",
        "author": "t.shapovalova@example.org",
        "days_ago": 12,
        "consultation": {"subject": INF, "level": "basic", "grade": "8 класс", "accept": 1,
                         "rate": {"helped": True, "comment": "Спасибо, подборка заданий очень пригодилась."},
                         "publish": "Задания из открытого банка ЕГЭ в 8 классе: какие подходят"},
        "body": (
            "В открытом банке ФИПИ много задач на системы счисления и алгоритмы. Не рано ли давать их в "
            "8 классе и как их отбирать?"
        ),
        "replies": [
            {"author": "methodist@example.org", "to": 0,
             "body": "Не рано, если отбирать задания базового уровня: № 1–5 и 14 по кодификатору. В 8 классе "
                     "хорошо идут системы счисления и анализ простых алгоритмов, а задачи на программирование "
                     "лучше оставить на 9 класс.\n\nСоставьте подборку по темам четверти и давайте по одному "
                     "заданию в начале урока."},
        ],
    },
    {
        "association": "rmo-matematika",
        "title": "Родители оспаривают оценку за контрольную: как действовать учителю?",
        "kind": "question",
        "author": "o.lysenko@example.org",
        "days_ago": 15,
        "private": True,
        "consultation": {"subject": MATH, "level": "basic", "accept": 1, "consent": True,
                         "rate": {"helped": True, "comment": ""},
                         "publish": "Родители не согласны с оценкой: порядок действий учителя"},
        "body": (
            "Родители ученика 6 класса считают, что оценка за контрольную занижена, и собираются писать "
            "директору. Работа у меня сохранилась. Что делать, чтобы конфликт не разросся?"
        ),
        "replies": [
            {"author": "methodist@example.org", "to": 0,
             "body": "Оксана Петровна, действуйте по положению о формах и порядке текущего контроля вашей "
                     "школы:\n\n1. Предложите родителям встречу и покажите работу с критериями оценивания.\n"
                     "2. Если несогласие остаётся, они вправе подать заявление в комиссию по урегулированию "
                     "споров — работу перепроверит другой учитель.\n3. Сохраняйте спокойный тон и "
                     "письменно фиксируйте договорённости."},
        ],
    },
]  # fmt: skip

# Demo attachments: display name → how app.demo generates its few bytes.
DEMO_FILES = {
    "Результаты ВПР 5 класс — диаграмма.png": "chart",
    "Памятка для родителей.txt": (
        "Памятка для родителей первоклассников\n\n"
        "Лист достижений показывает, чему ребёнок уже научился и над чем ещё работает.\n"
        "Зелёный кружок — умею, жёлтый — учусь, красный — пока не получается.\n"
        "Отметок в первом классе нет: мы сравниваем ребёнка только с ним самим.\n"
    ),
}


# --- moderation (issue 6) -------------------------------------------------------------------------------------------

# A pinned «Правила объединения» announcement by the leader in every association that has one and is not archived.
RULES_TITLE = "Правила объединения"
RULES_BODY = (
    "Коллеги, несколько правил, чтобы обсуждения оставались полезными:\n\n"
    "1. **Одна тема — один вопрос.** Новый вопрос — новая тема, так его легче найти.\n"
    "2. **Никаких персональных данных учеников**: фамилий, фотографий, оценок конкретных детей. Такие сообщения "
    "скрываются сразу.\n"
    "3. Вопросы методисту задавайте темой вида «вопрос» с предметом и уровнем — так он попадёт в очередь "
    "консультаций.\n"
    "4. Спорите — спорьте с мнением, а не с человеком.\n\n"
    "Если видите нарушение, нажмите «Пожаловаться» под сообщением: жалобу рассмотрит руководитель объединения."
)

# Threads closed for replies: title → (who closes it, why).
LOCKED = {
    "Районный конкурс чтецов «Живая классика»: сроки и положение": (
        "m.lebedeva@example.org",
        "Приём заявок на районный этап завершён; вопросы — руководителю РМО.",
    ),
}

# Replies that members reported: (thread title, author, text, [(reporter, reason, comment)], resolution or None).
# A resolution is (moderator, outcome, reason).
REPORTED = [
    (
        "Как вы готовите пятиклассников к ВПР по математике?",
        "o.lysenko@example.org",
        "Коллеги, у знакомых есть готовые ответы ВПР на этот год, могу переслать, пишите в личные сообщения.",
        [
            ("teacher@example.org", "other", "Предлагают «готовые ответы» ВПР — это нечестно по отношению к детям."),
            ("t.morozova@example.org", "spam", ""),
        ],
        None,
    ),
    (
        "Python или Паскаль в 8 классе: на чём вы начинаете программирование?",
        "t.shapovalova@example.org",
        "Кстати, кто-нибудь знает, где купить недорогой проектор для кабинета?",
        [("d.volkov@example.org", "off_topic", "Не по теме обсуждения.")],
        ("d.volkov@example.org", "dismissed", "Вопрос полезный, пусть остаётся; лучше задать его отдельной темой."),
    ),
]

# Pre-moderation: association slug → how many first posts of a new member wait for approval.
PREMODERATION = {"tg-funktsionalnaya-gramotnost": 2}
